/** Byte-level damage for the fuzz corpus (`fuzz-lines.ts`), and the random helpers it shares. */
import type { Random } from '../../src/parsers/wso2-apim/sim/random.js';
import { INVALID_UTF8 } from './fuzz-values.js';

/** One to six byte edits: set, flip a bit, insert invalid UTF-8, NUL, CR/LF or random bytes, delete. */
export function mutateBytes(line: Buffer, r: Random): Buffer {
  let out: Buffer = Buffer.from(line);
  for (let n = 1 + r.int(6); n > 0; n--) {
    const at = r.int(out.length + 1);
    switch (r.int(7)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = r.int(256);
        break;
      case 1: {
        const i = Math.min(at, out.length - 1);
        if (out.length > 0) out[i] = (out[i] as number) ^ (1 << r.int(8));
        break;
      }
      case 2:
        out = insertAt(out, at, Buffer.from(pick(r, INVALID_UTF8)));
        break;
      case 3:
        out = insertAt(out, at, Buffer.from([0]));
        break;
      case 4:
        out = insertAt(
          out,
          r.chance(0.5) ? out.length : at,
          Buffer.from(pick(r, ['\r', '\r\r', '\r\n', '\n'])),
        );
        break;
      case 5:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + r.int(8)))]);
        break;
      default:
        out = insertAt(out, at, randomBytes(r, 1 + r.int(8)));
    }
  }
  return out;
}

/** A cut position: anywhere, or right before or after a character of one syntactic kind. */
export function cutPoint(line: Buffer, r: Random): number {
  if (r.chance(0.3)) return r.int(line.length + 1);
  const needle = pick(r, [
    '"',
    ':',
    ',',
    '{',
    '}',
    '[',
    '\\',
    ' ',
    'apimMetrics:',
    'apim:',
    'properties',
    'e',
    '0',
    '.',
  ]);
  const at = nthIndexOf(line, Buffer.from(needle), r);
  if (at === -1) return r.int(line.length + 1);
  return Math.min(line.length, at + r.int(needle.length + 1));
}

/** Deletes, doubles or strays one quote, brace, bracket, colon, comma or backslash. */
export function mutateStructure(line: Buffer, r: Random): Buffer {
  const c = Buffer.from(pick(r, ['"', '{', '}', '[', ']', ':', ',', '\\']));
  const at = nthIndexOf(line, c, r);
  if (at === -1) return insertAt(line, r.int(line.length + 1), c);
  switch (r.int(3)) {
    case 0:
      return Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]);
    case 1:
      return insertAt(line, at, Buffer.concat([c, r.chance(0.3) ? c : Buffer.alloc(0)]));
    default:
      return insertAt(line, r.int(line.length + 1), c);
  }
}

function nthIndexOf(line: Buffer, needle: Buffer, r: Random): number {
  const positions: number[] = [];
  for (let at = line.indexOf(needle); at !== -1 && positions.length < 200; at = line.indexOf(needle, at + 1))
    positions.push(at);
  return positions.length === 0 ? -1 : (positions[r.int(positions.length)] as number);
}

export function insertAt(line: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([line.subarray(0, at), piece, line.subarray(at)]);
}

export function randomBytes(r: Random, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = r.int(256);
  return out;
}

/** Printable text with JSON and log punctuation, sometimes with the marker in it. */
export function randomText(r: Random): Buffer {
  const alphabet = 'abcXYZ019 :,{}[]"\\-_.@/\t';
  let text = '';
  for (let n = r.int(300); n > 0; n--) text += alphabet[r.int(alphabet.length)];
  if (r.chance(0.3)) {
    const at = r.int(text.length + 1);
    text = `${text.slice(0, at)}apimMetrics: apim:${pick(r, ['response', 'faulty', 'x'])}, properties :${text.slice(at)}`;
  }
  return Buffer.from(text, 'utf8');
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[r.int(items.length)] as T;
}
