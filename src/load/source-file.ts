/**
 * A file as read from disk, with lazy offset -> line/column mapping.
 * Positions are computed only when a finding or diagnostic needs one, so the
 * common path (parse, expand, evaluate, no findings) never builds a line table.
 */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units (what editors and SARIF viewers use). */
  column: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

export interface SourceLocation extends SourceRange {
  /** Path as given to the user: relative to the scan's working directory, forward slashes. */
  file: string;
}

export class SourceFile {
  private lineStarts: Uint32Array | undefined;

  constructor(
    /** Absolute path on disk. */
    readonly absPath: string,
    /** Display path: relative to the working directory, forward slashes. */
    readonly path: string,
    readonly text: string,
  ) {}

  positionAt(offset: number): Position {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  locationOf(offset: number, length: number): SourceLocation {
    return { file: this.path, start: this.positionAt(offset), end: this.positionAt(offset + length) };
  }

  /** How many lines the file has. */
  lineCount(): number {
    return (this.lineStarts ??= computeLineStarts(this.text)).length;
  }

  /** The text of one 1-based line, without its line break. */
  lineText(line: number): string {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    return this.text.slice(start, next ?? this.text.length).replace(/(?:\r\n|\r|\n)$/, '');
  }
}

// Offsets where lines start, gathered in a scratch array shared by all files and copied out at
// their exact size: a file's table lives as long as its findings (a grown array of numbers is four
// times larger), and counting the lines first took a pass over the text of its own.
let scratch = new Uint32Array(4096);
const SCRATCH_KEPT = 1 << 16;

function computeLineStarts(text: string): Uint32Array {
  // When every carriage return is part of a '\r\n' (Windows line ends) or there is none, every
  // line ends at a '\n': let indexOf find them (a loop over every character took ~7 ms per scan of
  // the corpora, many of whose files have Windows line ends).
  if (!hasLoneCarriageReturn(text)) {
    let n = 1;
    scratch[0] = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (n === scratch.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(scratch);
        scratch = grown;
      }
      scratch[n++] = i + 1;
    }
    const starts = scratch.slice(0, n);
    // A file of very many lines does not keep its scratch for the rest of the scan.
    if (scratch.length > SCRATCH_KEPT) scratch = new Uint32Array(4096);
    return starts;
  }
  const found = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) found.push(i + 1);
    else if (ch === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      found.push(i + 1);
    }
  }
  return Uint32Array.from(found);
}

function hasLoneCarriageReturn(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}
