import type { Hover, Position } from 'vscode-languageserver/node';
import type { Entry } from './diagnostics.js';

/** Whether a 0-based position is inside a range (its end included: the cursor after the last character still counts). */
export function contains(range: Entry['diagnostic']['range'], at: Position): boolean {
  const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(at, range.start) && after(range.end, at);
}

/** The findings under the cursor: rule, summary, message, where the value was set, the fix on offer. */
export function hoverFor(entries: readonly Entry[], at: Position): Hover | undefined {
  const here = entries.filter((e) => e.finding && contains(e.diagnostic.range, at));
  if (!here.length) return undefined;
  const parts = here.map(({ finding, rule }) => {
    const f = finding!;
    const lines = [`**${f.ruleId}**: ${f.ruleTitle} (${f.level}, ${f.severity})`, '', escape(f.message)];
    const summary = rule?.description.split(/\n\s*\n/)[0]?.trim();
    if (summary) lines.push('', escape(summary));
    for (const o of f.origins) lines.push('', `value set at ${o.location.file}:${o.location.start.line}: ${escape(o.description)}`);
    if (f.fix) lines.push('', `Fix available: ${escape(f.fix.description)}`);
    const page = rule?.docsUrl ?? rule?.helpUri;
    if (page) lines.push('', `[Rule documentation](${page})`);
    return lines.join('\n');
  });
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } };
}

/** Text from the input or the catalog shown as Markdown: characters Markdown acts on are escaped. */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
