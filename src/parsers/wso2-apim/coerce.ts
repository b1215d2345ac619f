/**
 * Lenient type coercion for record fields. Gson writes proper JSON types, but other producers
 * (custom reporters, APK, hand-written lines) quote numbers and booleans. Each function returns the
 * value in the wanted type, or `undefined` when it cannot be coerced.
 */

export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'object';

/**
 * Decimal number, optional sign, fraction and exponent; no hex, no empty string, no `Infinity`.
 * Written so that no two parts can match the same digits: `\d+\.?\d*` could split a run of digits
 * in n ways, and a 1 MiB digit string with a bad last character then took over an hour to refuse.
 */
const NUMERIC = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

export function coerceString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function coerceNumber(value: unknown, integer: boolean): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && NUMERIC.test(value)) n = Number(value);
  else return undefined;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return undefined;
  return n;
}

export function coerceBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}
