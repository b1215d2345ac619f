/**
 * JSON string literals as the JVM gateway (Gson's HTML-safe writer) and the Go enforcer (`encoding/json`)
 * print them. Key order is not decided here: each line shape in `lines.ts` spells its keys in the order of
 * real lines (Java HashMap iteration order, Go struct field order).
 */

const GSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '=': '\\u003d',
  "'": '\\u0027',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string literal as Gson's default (HTML-safe) writer prints it. */
export function gsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&='\u2028\u2029]/g, (c) => GSON_ESCAPES[c] ?? c);
}

/** A JSON string literal as Go's `encoding/json` prints it (escapes `<`, `>`, `&` only). */
export function goString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GSON_ESCAPES[c] ?? c);
}
