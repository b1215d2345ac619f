import type { CanonicalEvent } from '../../schema/event.js';

/** What {@link eventJson} needs of a parse result (`ParseResult` of kind `event`). */
export interface ParsedEvent {
  readonly event: CanonicalEvent;
  readonly source?: string;
  readonly sourceTimestamp?: string;
}

const KEY = '"requestTimestamp"';

/**
 * The event as one line of JSON whose value is exactly the event's (`JSON.parse` of it deep-equals
 * `event`), with `members` (further `,"key":value` pairs: the reader's `gateway` and `host`) added
 * before its closing brace in the same concatenation. When the parser kept the record's own text (`source`: nothing but `eventType` and maybe
 * the timestamp changed), that text is reused: `eventType` is appended before its closing brace and
 * a canonicalised timestamp spliced in. On the benchmark log this costs a few percent of a
 * `JSON.stringify` of the event, which costs as much as the `JSON.parse` before it
 * (bench/results/profile-parse.md). Whatever the text cannot prove falls back to `JSON.stringify`.
 *
 * The text is the producer's: number spellings (`1.0`), `\u003d`-style escapes and the key order
 * stay as WSO2 wrote them, and a key written twice stays twice (its last value is the event's, as
 * for `JSON.parse`). Control characters cannot be in it: `JSON.parse` accepted it.
 */
export function eventJson(parsed: ParsedEvent, members = ''): string {
  const { source, event } = parsed;
  if (source === undefined) return withMembers(JSON.stringify(event), members);
  const close = source.lastIndexOf('}');
  const type = event.eventType === 'response' ? ',"eventType":"response"' : ',"eventType":"faulty"';
  const tail = `${type}${members}}`;
  const original = parsed.sourceTimestamp;
  if (original === undefined) return source.slice(0, close) + tail;

  const value = timestampValueAt(source, original);
  if (value === -1) return withMembers(JSON.stringify(event), members);
  return `${source.slice(0, value)}${event.requestTimestamp}${source.slice(value + original.length, close)}${tail}`;
}

/**
 * Where `"requestTimestamp": "<original>"`'s value starts in `json`, or -1 unless that is certain:
 * the key must be the only string token `"requestTimestamp"` in the text, its value written without
 * escapes exactly as `original`, and it must be the root's. Without a backslash in the text the root
 * key is spelled plainly, so the only token is the root's; with one (`"request\u0054imestamp"`
 * would hide the root's key) the token's nesting depth is counted. A match whose opening quote
 * follows an odd run of backslashes is inside a string (`\"`) and skipped.
 */
function timestampValueAt(json: string, original: string): number {
  let found = -1;
  for (let at = json.indexOf(KEY); at !== -1; at = json.indexOf(KEY, at + 1)) {
    if (escaped(json, at)) continue;
    if (found !== -1) return -1;
    found = at;
  }
  if (found === -1) return -1;
  if (json.indexOf('\\') !== -1 && !atRoot(json, found)) return -1;
  let i = skipBlanks(json, found + KEY.length);
  if (json.charCodeAt(i) !== 58) return -1; // a string value "requestTimestamp", not the key
  i = skipBlanks(json, i + 1);
  if (json.charCodeAt(i) !== 34) return -1;
  const start = i + 1;
  const end = start + original.length;
  return json.charCodeAt(end) === 34 && json.startsWith(original, start) && !original.includes('\\')
    ? start
    : -1;
}

/** True when position `at` (outside strings) is directly inside the outermost object. */
function atRoot(json: string, at: number): boolean {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      for (i++; i < at && json.charCodeAt(i) !== 34; i++) if (json.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth === 1;
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function escaped(json: string, at: number): boolean {
  let slashes = 0;
  for (let i = at - 1; i >= 0 && json.charCodeAt(i) === 92; i--) slashes++;
  return slashes % 2 === 1;
}

/** JSON's whitespace: space, tab, LF, CR. */
function skipBlanks(json: string, from: number): number {
  let i = from;
  for (let c = json.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = json.charCodeAt(++i));
  return i;
}

/** `json` (an object's text) with `members` (`,"key":value…`) before its closing brace. */
function withMembers(json: string, members: string): string {
  return members === '' ? json : `${json.slice(0, -1)}${members}}`;
}
