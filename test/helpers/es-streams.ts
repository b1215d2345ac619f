import { expect } from 'vitest';
import { documentId } from '../../plugins/elasticsearch/mapping.js';
import { countDocs, es, type KnownLog, knownLog } from './es-scenario.js';

/** Helpers for tests on data streams and rollovers in a real Elasticsearch. */

interface Hit {
  readonly _index: string;
  readonly _id: string;
}

/** Every document of `<prefix>_*` (after a refresh): where each `_id` is, and how many times. */
export async function documents(
  url: string,
  prefix: string,
): Promise<{ total: number; byId: Map<string, string[]> }> {
  const total = await countDocs(url, `${prefix}_*`);
  const body = { size: 10_000, _source: false, track_total_hits: true, query: { match_all: {} } };
  const found = await es<{ hits: { hits: Hit[] } }>(url, 'POST', `/${prefix}_*/_search`, body);
  const byId = new Map<string, string[]>();
  for (const hit of found.hits.hits) byId.set(hit._id, [...(byId.get(hit._id) ?? []), hit._index]);
  return { total, byId };
}

/** Asserts each event of `log` is one document of the data streams, and nothing else is there. */
export async function expectExactlyOnce(url: string, prefix: string, log: KnownLog): Promise<void> {
  const { total, byId } = await documents(url, prefix);
  const copies = [...byId.entries()].filter(([, at]) => at.length > 1);
  expect(copies.slice(0, 3), `${copies.length} _ids with more than one copy`).toEqual([]);
  expect(byId.size).toBe(log.events.length);
  expect(total).toBe(log.events.length);
  for (const event of log.events) expect(byId.has(documentId(event)), documentId(event)).toBe(true);
}

export async function rollover(url: string, prefix: string): Promise<void> {
  for (const type of ['response', 'faulty']) await es(url, 'POST', `/${prefix}_${type}/_rollover`);
}

export async function backingIndices(url: string, stream: string): Promise<string[]> {
  const path = `/_resolve/index/${stream}`;
  const body = await es<{ data_streams?: { backing_indices: string[] }[] }>(url, 'GET', path);
  return body.data_streams?.[0]?.backing_indices ?? [];
}

/** Events timed like live traffic: the last minute, one every 50 ms. */
export function liveLog(lines: number, seed: number): KnownLog {
  return knownLog(lines, { seed, startTime: Date.now() - 60_000, eventsPerSecond: 20 });
}
