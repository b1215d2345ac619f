/** Fixed-width text of the generator: UUID-shaped ids, the log4j2 clock and Java ISO timestamps (UTC). */

import type { Random } from './random.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const VARIANT_NIBBLE = ['8', '9', 'a', 'b'];

const hex8 = (x: number): string =>
  HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
const hex4 = (x: number): string => HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

/** UUID-v4-shaped text from four 32-bit words (version and variant bits forced). */
export function uuid(a: number, b: number, c: number, d: number): string {
  const version = `4${HEX[(b >>> 8) & 15]!.slice(1)}${HEX[b & 255]!}`;
  const variant = `${VARIANT_NIBBLE[c >>> 30]!}${HEX[(c >>> 20) & 15]!.slice(1)}${HEX[(c >>> 12) & 255]!}`;
  return `${hex8(a)}-${hex4(b >>> 16)}-${version}-${variant}-${hex4(c)}${hex8(d)}`;
}

export const randomUuid = (r: Random): string => uuid(r.u32(), r.u32(), r.u32(), r.u32());

/** `HH:mm:ss,SSS` of an epoch-ms instant, UTC. */
export function clockTime(ms: number): string {
  const t = ((ms % 86_400_000) + 86_400_000) % 86_400_000;
  const sec = Math.floor(t / 1000);
  return `${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}:${PAD2[sec % 60]},${PAD3[t % 1000]}`;
}

/** Java `OffsetDateTime.toString()` in UTC: seconds and millis omitted when zero. */
export function createIsoFormatter(): (ms: number) => string {
  let cachedDay = Number.NaN;
  let cachedDate = '';
  return (ms) => {
    const day = Math.floor(ms / 86_400_000);
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    }
    const t = ms - day * 86_400_000;
    const sec = Math.floor(t / 1000);
    const milli = t % 1000;
    const s = sec % 60;
    let out = `${cachedDate}T${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}`;
    if (s !== 0 || milli !== 0) out += `:${PAD2[s]}`;
    if (milli !== 0) out += `.${PAD3[milli]}`;
    return `${out}Z`;
  };
}
