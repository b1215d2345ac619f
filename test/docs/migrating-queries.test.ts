import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../src/schema/event.js';
import {
  countBy,
  DATA_DAYS,
  DAY_MS,
  dayStart,
  fillSummaries,
  generatedEvents,
  isResponse,
  requestMs,
} from '../dashboards/summaries-postgres-data.js';
import { type PgServer, startPostgres } from '../helpers/postgres.js';

/**
 * Every ```sql block of docs/migrating-from-wso2-analytics.md runs as written on a real PostgreSQL
 * holding the summaries plugin's tables, filled from 40 days of generated events that end at the
 * start of today (UTC), so the doc's "last 30 days" queries see data.
 */

const DOC = new URL('../../docs/migrating-from-wso2-analytics.md', import.meta.url);

interface Example {
  /** The `###` heading above the block. */
  readonly title: string;
  readonly sql: string;
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  let title = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('### ')) title = line.slice(4).trim();
    if (line.trim() !== '```sql') continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    if (end === -1) throw new Error(`unclosed sql block after line ${i + 1}`);
    out.push({ title, sql: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const blocks = examples(readFileSync(DOC, 'utf8'));
const today = dayStart(Date.now());
const start = today - DATA_DAYS * DAY_MS;
const month = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

describe('docs/migrating-from-wso2-analytics.md example queries', () => {
  let pg: PgServer;
  let client: Client;
  let events: CanonicalEvent[];
  const rowsOf = async (title: string): Promise<Record<string, unknown>[]> => {
    const block = blocks.find((b) => b.title === title);
    if (block === undefined) throw new Error(`no sql block under "### ${title}"`);
    return (await client.query(block.sql)).rows as Record<string, unknown>[];
  };

  beforeAll(async () => {
    pg = await startPostgres();
    client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    events = generatedEvents(start);
    await fillSummaries(client, events);
  });

  afterAll(async () => {
    await client?.end();
    await pg?.destroy();
  });

  it('has 8 to 12 examples, each under its own heading', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.length).toBeLessThanOrEqual(12);
    expect(new Set(blocks.map((b) => b.title)).size).toBe(blocks.length);
  });

  it.each(blocks.map((b) => [b.title, b] as const))('%s runs and returns rows', async (_title, block) => {
    const result = await client.query(block.sql);
    expect(result.rows.length).toBeGreaterThan(0);
  });

  it('counts requests per application per month like the events do', async () => {
    const rows = await rowsOf('Requests per application per month');
    const names = new Map(events.map((e) => [String(e.applicationId), String(e.applicationName)]));
    const expected = countBy(
      events.filter(isResponse),
      (e) => `${month(requestMs(e))} ${e.applicationId}`,
    ).map(([key, n]) => `${key.slice(0, 7)} ${names.get(key.slice(8))} ${n}`);
    const got = rows.map((r) => `${String(r.month)} ${String(r.application)} ${String(r.requests)}`);
    expect(got.sort()).toEqual(expected.sort());
  });

  it('ranks the top 10 APIs of the last 30 days like the events do', async () => {
    const rows = await rowsOf('Top 10 APIs over the last 30 days');
    const recent = events.filter(
      (e) => isResponse(e) && requestMs(e) >= today - 30 * DAY_MS && requestMs(e) < today,
    );
    const expected = countBy(recent, (e) => `${e.apiName} ${e.apiVersion}`).slice(0, 10);
    expect(rows.map((r) => [`${String(r.apiName)} ${String(r.apiVersion)}`, Number(r.requests)])).toEqual(
      expected,
    );
    expect(recent.length).toBeLessThan(events.filter(isResponse).length);
  });

  it('shows the last access of every API like the events do', async () => {
    const rows = await rowsOf('Last access per API');
    const last = new Map<string, number>();
    for (const e of events.filter(isResponse)) {
      const name = String(e.apiName);
      last.set(name, Math.max(last.get(name) ?? 0, requestMs(e)));
    }
    expect(new Map(rows.map((r) => [String(r.apiName), (r.last_access as Date).getTime()]))).toEqual(last);
  });

  it("runs the README's example (requests per application per month) with the events' counts", async () => {
    const readme = examples(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
    expect(readme).toHaveLength(1);
    const { rows } = await client.query((readme[0] as Example).sql);
    const expected = countBy(events.filter(isResponse), (e) => `${month(requestMs(e))} ${e.applicationName}`);
    expect(
      rows.map((r) => [`${String(r.month)} ${String(r.applicationName)}`, Number(r.requests)]).sort(),
    ).toEqual(expected.sort());
  });

  it('fails a block with a typo (the check can fail)', async () => {
    const block = blocks[0] as Example;
    await expect(client.query(block.sql.replace('"AGG_COUNT"', '"AGG_CONT"'))).rejects.toThrow();
  });
});
