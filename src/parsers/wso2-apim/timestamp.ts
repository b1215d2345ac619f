/**
 * `requestTimestamp` normalisation: ISO-8601 in, ISO-8601 UTC with exactly millisecond precision out
 * (`2025-03-04T09:16:05.000Z`). WSO2 writes `OffsetDateTime.toString()`, which drops zero parts:
 * `…:34.894Z`, `…:34Z`, `…T02:53Z`, `…:34.89Z`. Strict on purpose: `Date.parse` accepts `2025`,
 * `March 7, 2025` and rolls `02-31` over into March, none of which is a WSO2 timestamp.
 */

const ZERO = 48;
const MIN_EPOCH_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_EPOCH_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const PAD_MILLIS = ['', '0', '00'] as const;
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000; // 400 years

/** The canonical string, or `undefined` when `value` is not a timestamp we accept. */
export function normaliseTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return isCanonical(value) ? value : parseIso(value);
  }
  if (typeof value === 'number') {
    return epochToIso(value);
  }
  return undefined;
}

/** Fast path: already `YYYY-MM-DDTHH:MM:SS.sssZ` with valid ranges. */
function isCanonical(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(10) !== 84 || s.charCodeAt(23) !== 90 || !punctuationAt(s))
    return false;
  if (s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || two(s, 20) < 0 || two(s, 21) < 0) return false;
  return validDateTime(s, two(s, 17));
}

function parseIso(s: string): string | undefined {
  // YYYY-MM-DDTHH:MM is mandatory; then optional :SS, optional fraction, then zone (Z, ±HH:MM, ±HHMM).
  if (s.length < 16 || !punctuationAt(s)) return undefined;
  let i = 16;
  let second = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits(s, i + 1, 2);
    if (second < 0) return undefined;
    i += 3;
  }
  let millis = 0;
  if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
    const start = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    const n = i - start;
    if (n === 0) return undefined;
    millis = digits(s, start, Math.min(n, 3)) * (n >= 3 ? 1 : n === 2 ? 10 : 100);
  }
  const offset = zoneOffsetMinutes(s, i);
  if (offset === undefined || !validDateTime(s, second)) return undefined;
  if (offset === 0) {
    // Already UTC (WSO2 always writes `Z`): pad the omitted parts, no date arithmetic needed.
    return `${s.slice(0, 10)}T${s.slice(11, 16)}:${second < 10 ? '0' : ''}${second}.${PAD_MILLIS[millis < 10 ? 2 : millis < 100 ? 1 : 0]}${millis}Z`;
  }
  // Date.UTC maps years 0–99 to 1900–1999; shift by one 400-year Gregorian cycle and back.
  const year = digits(s, 0, 4);
  const cycles = year < 100 ? 1 : 0;
  const utc = Date.UTC(
    year + 400 * cycles,
    digits(s, 5, 2) - 1,
    digits(s, 8, 2),
    digits(s, 11, 2),
    digits(s, 14, 2),
    second,
  );
  return epochToIso(utc - cycles * GREGORIAN_CYCLE_MS + millis - offset * 60_000);
}

/** Minutes east of UTC; no designator is read as UTC. `undefined` for anything else after the time. */
function zoneOffsetMinutes(s: string, i: number): number | undefined {
  if (i === s.length) return 0;
  const c = s.charCodeAt(i);
  if ((c === 90 || c === 122) && i + 1 === s.length) return 0;
  if (c !== 43 && c !== 45) return undefined;
  const hours = digits(s, i + 1, 2);
  const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
  const minutes = digits(s, i + 3 + colon, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || i + 5 + colon !== s.length) return undefined;
  const sign = c === 45 ? -1 : 1;
  return sign * (hours * 60 + minutes);
}

function epochToIso(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS) return undefined;
  return new Date(Math.trunc(ms)).toISOString();
}

/** `-`, `-`, `T` (or space), `:` at their positions in `YYYY-MM-DDTHH:MM`. */
function punctuationAt(s: string): boolean {
  const t = s.charCodeAt(10);
  return (
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    (t === 84 || t === 116 || t === 32) &&
    s.charCodeAt(13) === 58
  );
}

function validDateTime(s: string, second: number): boolean {
  const century = two(s, 0);
  const yearOfCentury = two(s, 2);
  if (century < 0 || yearOfCentury < 0) return false;
  const year = century * 100 + yearOfCentury;
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal value of `count` digits at `start`, or -1 if any of them is not a digit. */
function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (!(d >= 0 && d <= 9)) return -1; // NaN past the end of the string fails too
    n = n * 10 + d;
  }
  return n;
}

/** Two digits at `start` (unrolled `digits(s, start, 2)`: the fast path calls it eight times). */
function two(s: string, start: number): number {
  const tens = s.charCodeAt(start) - ZERO;
  const ones = s.charCodeAt(start + 1) - ZERO;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
