import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../../plugins/summaries/aggregate.js';
import {
  columnsOf,
  documentId,
  indexName,
  indexTemplate,
  rowIdentity,
  toDocument,
} from '../../../plugins/summaries/mirror-doc.js';
import { readRows, recordChanges, saveMirrored } from '../../../plugins/summaries/outbox.js';
import { TABLES, type TableSpec } from '../../../plugins/summaries/tables.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { responseLine } from '../../helpers/lines.js';

const table = (name: string): TableSpec => TABLES.find((t) => t.name === name) as TableSpec;

function event(id: string, overrides: Record<string, unknown> = {}): CanonicalEvent {
  const parsed = parseLine(responseLine(id, overrides));
  if (parsed.kind !== 'event') throw new Error('line did not parse');
  return parsed.event;
}

describe('Elasticsearch summary documents', () => {
  it('names one index per table, lower case, all granularities in it', () => {
    expect(indexName('gax-summaries-', table('ApiVersionPerAppAgg'))).toBe(
      'gax-summaries-apiversionperappagg',
    );
    expect(indexName('gax-summaries-', table('ApiLastAccessSummary'))).toBe(
      'gax-summaries-apilastaccesssummary',
    );
    expect(indexName('x-', table('APIM_ReqCountAgg'))).toBe('x-apim_reqcountagg');
  });

  it('gives a row a deterministic id: SHA-256 of table, granularity, bucket and keys; distinct rows differ', () => {
    const t = table('ApiVersionPerAppAgg');
    const id = documentId(t, 'DAYS', 86_400_000, ['/pizza/1.0.0', 'gw-1', 'app-1']);
    const want = createHash('sha256')
      .update(JSON.stringify(['ApiVersionPerAppAgg', 'DAYS', 86_400_000, '/pizza/1.0.0', 'gw-1', 'app-1']))
      .digest('hex')
      .slice(0, 40);
    expect(id).toBe(want);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(documentId(t, 'HOURS', 86_400_000, ['/pizza/1.0.0', 'gw-1', 'app-1'])).not.toBe(id);
    expect(documentId(t, 'DAYS', 86_400_000, ['/pizza/1.0.0', 'gw-1|app-1', ''])).not.toBe(
      documentId(t, 'DAYS', 86_400_000, ['/pizza/1.0.0|gw-1', 'app-1', '']),
    );
  });

  it('maps a row to its document: @timestamp, granularity, table, every column with bigint as number', () => {
    const t = table('ApiExeTime');
    const row: Record<string, unknown> = Object.fromEntries(
      columnsOf(t).map((c) => [c.name, c.long ? '7' : 'v']),
    );
    row.AGG_TIMESTAMP = '1790000000000';
    row.AGG_SUM_securityLatency = null;
    const doc = toDocument(t, 'HOURS', row);
    expect(doc['@timestamp']).toBe(new Date(1_790_000_000_000).toISOString());
    expect(doc.granularity).toBe('HOURS');
    expect(doc.table).toBe('ApiExeTime');
    expect(doc.AGG_TIMESTAMP).toBe(1_790_000_000_000);
    expect(doc.AGG_SUM_responseTime).toBe(7);
    expect(doc.AGG_SUM_securityLatency).toBeNull();
    expect(doc.apiContext).toBe('v');
    expect(Object.keys(doc).length).toBe(3 + columnsOf(t).length);
    expect(rowIdentity(t, row)).toEqual({ time: 1_790_000_000_000, keys: t.keys.map(() => 'v') });

    const last = table('ApiLastAccessSummary');
    const access = toDocument(last, undefined, {
      apiName: 'Pizza',
      apiCreator: 'admin',
      apiCreatorTenantDomain: 'carbon.super',
      apiContext: '/pizza',
      apiVersion: '1.0.0',
      applicationOwner: null,
      lastAccessTime: '1790000000123',
    });
    expect(access).toEqual({
      '@timestamp': new Date(1_790_000_000_123).toISOString(),
      table: 'ApiLastAccessSummary',
      apiName: 'Pizza',
      apiCreator: 'admin',
      apiCreatorTenantDomain: 'carbon.super',
      apiContext: '/pizza',
      apiVersion: '1.0.0',
      applicationOwner: null,
      lastAccessTime: 1_790_000_000_123,
    });
  });

  it('declares every column of every table in a strict template: text keyword, bigint long', () => {
    const template = indexTemplate('gax-summaries-', TABLES) as {
      index_patterns: string[];
      template: { mappings: { dynamic: string; properties: Record<string, { type: string }> } };
    };
    expect(template.index_patterns).toEqual(['gax-summaries-*']);
    const { dynamic, properties } = template.template.mappings;
    expect(dynamic).toBe('strict');
    expect(properties['@timestamp']?.type).toBe('date');
    for (const t of TABLES)
      for (const c of columnsOf(t))
        expect(properties[c.name]?.type, c.name).toBe(c.long ? 'long' : 'keyword');
    expect(properties.requestTimestamp?.type).toBe('long');
    expect(properties.apiName?.type).toBe('keyword');
  });
});

describe('summaries outbox SQL', () => {
  it('queues every changed row of a batch in one statement: table with granularity, bucket, keys', () => {
    const events = [event('a'), event('b', { apiName: 'Orders', apiContext: '/orders/1.0.0' })];
    const deltas = aggregate(events, TABLES, ['HOURS', 'DAYS']);
    const s = recordChanges('public', deltas);
    expect(s?.text).toMatch(/^INSERT INTO "public"\."gax_summaries_outbox"/);
    const [names, times, ...keys] = s?.values as [string[], number[], ...(string | null)[][]];
    const rows = deltas.reduce((n, d) => n + d.rows.length, 0);
    expect(names.length).toBe(rows);
    expect(times.length).toBe(rows);
    expect(keys.length).toBe(Math.max(...TABLES.map((t) => t.keys.length)));
    expect(new Set(names)).toEqual(
      new Set(
        deltas.map((d) => (d.granularity === undefined ? d.table.name : `${d.table.name}_${d.granularity}`)),
      ),
    );
    const last = names.indexOf('ApiLastAccessSummary');
    expect(times[last]).toBe(0);
    expect(keys.map((k) => k[last])).toEqual(['Orders', expect.any(String), expect.any(String), null, null]);
    expect(recordChanges('public', [])).toBeUndefined();
  });

  it('reads current rows by bucket and keys, and records progress never backwards', () => {
    const s = readRows('s', table('ApiPerDestinationAgg'), 'DAYS', [{ time: 5, keys: ['c', 'h', 'd'] }]);
    expect(s.text).toContain('FROM "s"."ApiPerDestinationAgg_DAYS" AS t');
    expect(s.text).toContain('t."AGG_TIMESTAMP" = u.t AND t."apiContext" = u.k1');
    expect(s.values).toEqual([[5], ['c'], ['h'], ['d']]);
    const [save, prune] = saveMirrored('s', 'elasticsearch:gax-summaries-', 42);
    expect(save?.text).toContain('GREATEST');
    expect(prune?.text).toContain('DELETE FROM "s"."gax_summaries_outbox"');
  });
});
