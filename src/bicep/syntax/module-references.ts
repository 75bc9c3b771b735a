import { lex, multilineOpening, pieceValue } from './lexer.js';

/**
 * The literal paths of the `module <name> '<path>'` declarations of a Bicep file, from its tokens
 * alone. Finding a module cycle needs only these, and lexing costs a fraction of parsing: a file
 * with many modules would otherwise parse every module file just to look for cycles. A declaration
 * starts a line (after any decorators' lines), so `module` must follow a line break or the start.
 */
export function moduleReferences(text: string): string[] {
  const tokens = lex(text).tokens;
  const out: string[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'Identifier' || t.text !== 'module' || (i > 0 && tokens[i - 1]!.kind !== 'NewLine')) continue;
    const name = tokens[i + 1]!;
    const target = tokens[i + 2]!;
    if (name.kind !== 'Identifier' || target.kind !== 'StringComplete') continue;
    const { multiline, dollars } = multilineOpening(target);
    out.push(pieceValue(target, multiline, dollars));
  }
  return out;
}
