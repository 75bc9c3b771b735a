// Writes one file of catalog/builtin/: records, one per line, brotli compressed at the highest
// quality (the catalog is built rarely and read often), through a temporary file and a rename so
// that an interrupted build never leaves half a file. Shared by build-builtin-catalog.mjs and
// build-builtin-older-versions.mjs. Returns the text and packed sizes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

export function writeCatalogShelf(target, lines) {
  const text = Buffer.from(lines.join('\n'), 'utf8');
  const packed = brotliCompressSync(text, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  });
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(`${target}.tmp`, packed);
  renameSync(`${target}.tmp`, target);
  return { text: text.length, packed: packed.length };
}
