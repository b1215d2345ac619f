import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator, type GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../src/schema/event.js';

/**
 * Helpers for tests that index into a real Elasticsearch or OpenSearch node: known logs, counts,
 * queries and the conservation check. Everything goes through plain `fetch` on the node's loopback
 * URL (the REST paths used are the same on both), never through the code under test.
 */

export interface KnownLog {
  readonly lines: string[];
  readonly events: CanonicalEvent[];
  readonly response: number;
  readonly faulty: number;
}

/** `count` generated lines and the canonical events they parse to (the expected documents). */
export function knownLog(count: number, options: GeneratorOptions = {}): KnownLog {
  const generator = createGenerator({ seed: 5, aiRatio: 0.1, variants: true, ...options });
  const lines: string[] = [];
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < count; i++) {
    const line = generator.next();
    lines.push(line);
    const parsed = parseLine(line);
    if (parsed.kind === 'event') events.push(parsed.event);
  }
  const faulty = events.filter((e) => e.eventType === 'faulty').length;
  return { lines, events, faulty, response: events.length - faulty };
}

export async function writeLog(
  dir: string,
  lines: readonly string[],
  name = 'apim_metrics.log',
): Promise<string> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const path = join(dir, 'logs', name);
  await writeFile(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return path;
}

/** A tiny JSON client for assertions (not the code under test). */
export async function searchJson<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok && response.status !== 404)
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Document count of `index` (a pattern is fine) after a refresh; 0 when it does not exist.
 * A just-created index answers 503 (no shard available) until its shards start: retried.
 */
export async function countDocs(url: string, index: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const refresh = await fetch(`${url}/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`, {
      method: 'POST',
    });
    const response = await fetch(`${url}/${index}/_count?ignore_unavailable=true&allow_no_indices=true`);
    const text = await response.text();
    if (response.ok && refresh.ok) return (JSON.parse(text) as { count: number }).count;
    if ((response.status !== 503 && refresh.status !== 503) || attempt >= 50) {
      throw new Error(`count ${index}: ${response.status} ${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Documents per index and document ids: what a log's events must become (see {@link expectConserved}). */
export type ExpectedIndices = ReadonlyMap<string, readonly string[]>;

/** The expected `_id`s of `events` per index, by the plugin's naming rules given as functions. */
export function expectedIndices(
  events: readonly CanonicalEvent[],
  indexOf: (event: CanonicalEvent) => string,
  idOf: (event: CanonicalEvent) => string,
): ExpectedIndices {
  const byIndex = new Map<string, string[]>();
  for (const event of events) {
    const index = indexOf(event);
    const ids = byIndex.get(index) ?? [];
    ids.push(idOf(event));
    byIndex.set(index, ids);
  }
  return byIndex;
}

/** At most this many documents are read back by {@link expectConserved} (the default max_result_window). */
const MAX_READ_BACK = 10_000;

interface IdHits {
  hits: { total: { value: number }; hits: { _index: string; _id: string }[] };
}

/**
 * Conservation: the documents matching `pattern` are exactly `expected`: each index holds exactly
 * its count (`_count`), and every expected `_id` is in its index once, with no document anywhere
 * else (no loss, no duplicate, nothing misrouted).
 */
export async function expectConserved(
  url: string,
  pattern: string,
  expected: ExpectedIndices,
): Promise<void> {
  const total = [...expected.values()].reduce((n, ids) => n + ids.length, 0);
  if (total > MAX_READ_BACK) throw new Error(`expectConserved reads back at most ${MAX_READ_BACK} documents`);
  for (const [index, ids] of expected) expect(await countDocs(url, index), index).toBe(ids.length);
  expect(await countDocs(url, pattern), pattern).toBe(total);
  const found = await searchJson<IdHits>(url, 'POST', `/${pattern}/_search`, {
    size: MAX_READ_BACK,
    _source: false,
    track_total_hits: true,
    sort: ['_doc'],
  });
  expect(found.hits.total.value).toBe(total);
  const actual = new Map<string, string[]>();
  for (const hit of found.hits.hits) actual.set(hit._index, [...(actual.get(hit._index) ?? []), hit._id]);
  const sorted = (m: ExpectedIndices) =>
    Object.fromEntries([...m].map(([index, ids]) => [index, [...ids].sort()]).sort());
  expect(sorted(actual)).toEqual(sorted(expected));
}
