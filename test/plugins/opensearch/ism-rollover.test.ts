/**
 * `indexMode: dataStream` with ISM: the rollover policy's body, its install (created →
 * unchanged → updated) and `gax setup opensearch` against the loopback OpenSearch of
 * test/helpers/fake-opensearch.ts (the test nodes have no ISM plugin; see plugins/opensearch/README.md,
 * "ISM"); the templates that create the data streams, and the check-config line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OsClient } from '../../../plugins/opensearch/client.js';
import type { OpenSearchConfig } from '../../../plugins/opensearch/config.js';
import { describeOpenSearch, opensearchConflicts } from '../../../plugins/opensearch/describe.js';
import { OpenSearchConfigSchema, opensearchPlugin } from '../../../plugins/opensearch/index.js';
import { ismPolicy } from '../../../plugins/opensearch/ism.js';
import { osIndex } from '../../../plugins/opensearch/mapping.js';
import { runSetupOpenSearch } from '../../../plugins/opensearch/setup/run.js';
import { osTemplates } from '../../../plugins/opensearch/templates.js';
import { ajvFor } from '../../../src/config/validator.js';
import { defaultSection } from '../../../src/plugin/default-section.js';
import { testEvent } from '../../doubles/plugins.js';
import { capture, FakeOpenSearch } from '../../helpers/fake-opensearch.js';

let fake: FakeOpenSearch;

beforeEach(async () => {
  fake = new FakeOpenSearch();
  await fake.start();
});

afterEach(async () => {
  await fake.close();
});

type Ism = OpenSearchConfig['ism'];

function streams(
  ism: Partial<Ism> = {},
  mode: OpenSearchConfig['indexMode'] = 'dataStream',
): OpenSearchConfig {
  const base = defaultSection(opensearchPlugin);
  return { ...base, node: fake.url, indexMode: mode, ism: { ...base.ism, enabled: true, ...ism } };
}

describe('the ISM policy of data streams', () => {
  it('rolls the write index over (1d or 50gb by default), then deletes each backing index deleteAfterDays after creation', () => {
    const { body, checksum } = ismPolicy(streams({ deleteAfterDays: 14 }));
    expect(body.policy).toMatchObject({
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [{ rollover: { min_index_age: '1d', min_primary_shard_size: '50gb' } }],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      // ISM matches a backing index (.ds-apim_event_response-000001) by its data stream's name.
      ism_template: [{ index_patterns: ['apim_event_response', 'apim_event_faulty'], priority: 100 }],
    });
    expect(body.policy.description).toMatch(/^gateway-analytics-exporter: rolls over the WSO2 API-M/);
    expect(body.policy.description).toMatch(new RegExp(`\\(gax checksum ${checksum}\\)$`));
    expect(checksum).not.toBe(ismPolicy(streams({ deleteAfterDays: 14 }, 'daily')).checksum);
  });

  it('takes the rollover conditions given, and only those', () => {
    const docs = ismPolicy(streams({ rolloverAfter: { docs: 1000 } }));
    const states = docs.body.policy.states as { actions: unknown[] }[];
    expect(states[0]?.actions).toEqual([{ rollover: { min_doc_count: 1000 } }]);
    const all = ismPolicy(streams({ rolloverAfter: { age: '12h', primaryShardSize: '10gb', docs: 5 } }));
    expect((all.body.policy.states as { actions: unknown[] }[])[0]?.actions).toEqual([
      { rollover: { min_index_age: '12h', min_primary_shard_size: '10gb', min_doc_count: 5 } },
    ]);
    expect(all.checksum).not.toBe(docs.checksum);
  });

  it('refuses rollover conditions ISM would not take: none, a bad age or size, an unknown key', async () => {
    const validate = (await ajvFor()).compile(OpenSearchConfigSchema);
    const valid = (rolloverAfter: unknown) =>
      validate({ indexMode: 'dataStream', ism: { enabled: true, rolloverAfter } });
    expect(valid({ docs: 5 })).toBe(true);
    expect(valid({ age: '12h', primaryShardSize: '500mb' })).toBe(true);
    expect(valid({})).toBe(false);
    expect(valid({ age: '1 day' })).toBe(false);
    expect(valid({ primaryShardSize: '50GB' })).toBe(false);
    expect(valid({ docs: 0 })).toBe(false);
    expect(valid({ age: '1d', maxAge: '1d' })).toBe(false);
  });

  it('daily mode keeps the delete-only policy, whatever rolloverAfter says', () => {
    const daily = ismPolicy(streams({ rolloverAfter: { docs: 1 } }, 'daily'));
    expect((daily.body.policy.states as { actions: unknown[] }[])[0]?.actions).toEqual([]);
    expect(daily.checksum).toBe(ismPolicy(streams({}, 'daily')).checksum);
  });

  it('replaces the daily policy (updated), then is unchanged, then updated when a condition changes', async () => {
    const client = await OsClient.open(streams());
    try {
      expect((await client.installPolicy(ismPolicy(streams({}, 'daily')))).result).toBe('created');
      expect((await client.installPolicy(ismPolicy(streams()))).result).toBe('updated');
      expect(fake.policies.get('gax-apim-analytics')?.policy).toEqual(ismPolicy(streams()).body.policy);
      expect((await client.installPolicy(ismPolicy(streams()))).result).toBe('unchanged');
      const later = ismPolicy(streams({ rolloverAfter: { age: '7d' } }));
      expect((await client.installPolicy(later)).result).toBe('updated');
      const puts = fake.seen.filter((s) => s.method === 'PUT');
      expect(puts).toHaveLength(3);
      expect(puts[2]?.query.get('if_seq_no')).toBe('1');
      expect(JSON.stringify(fake.policies.get('gax-apim-analytics')?.policy)).toContain(
        '"rollover":{"min_index_age":"7d"}',
      );
    } finally {
      await client.close();
    }
  });
});

describe('gax setup opensearch --index-mode dataStream (loopback)', () => {
  it('installs index templates that create data streams and the rollover policy; a second run changes nothing', async () => {
    const first = capture();
    await runSetupOpenSearch(streams(), first.io);
    expect(first.out()).toContain('done: 5 objects (5 created, 0 updated, 0 unchanged)');
    const template = fake.templates.get('_index_template/apim_event_response') as Record<string, unknown>;
    expect(template).toMatchObject({ index_patterns: ['apim_event_response'], data_stream: {} });
    expect(fake.policies.get('gax-apim-analytics')?.policy).toEqual(ismPolicy(streams()).body.policy);
    const second = capture();
    await runSetupOpenSearch(streams(), second.io);
    expect(second.out()).toContain('done: 5 objects (0 created, 0 updated, 5 unchanged)');
  });
});

describe('dataStream mode', () => {
  it('writes each event type to its data stream; daily-pattern templates only in the other modes', () => {
    const config = streams();
    expect(osIndex(testEvent(1), config)).toBe('apim_event_response');
    expect(osIndex(testEvent(2, { eventType: 'faulty' }), config)).toBe('apim_event_faulty');
    const [response] = osTemplates(config).indexTemplates;
    expect(response?.body).toMatchObject({ index_patterns: ['apim_event_response'], data_stream: {} });
    const [daily] = osTemplates(streams({}, 'daily')).indexTemplates;
    expect(daily?.body.index_patterns).toEqual(['apim_event_response', 'apim_event_response-*']);
    expect(daily?.body.data_stream).toBeUndefined();
  });

  it('check-config names the data streams and the rollover; ISM is not a conflict there', () => {
    const config = { ...streams({ deleteAfterDays: 7 }), node: 'http://127.0.0.1:9200' };
    expect(describeOpenSearch(config, { id: 'opensearch' })).toEqual([
      '  opensearch: http://127.0.0.1:9200 → data streams apim_event_response, apim_event_faulty; ISM policy gax-apim-analytics rolls over at 1d or 50gb and deletes after 7d',
    ]);
    expect(opensearchConflicts(config)).toEqual([]);
    expect(defaultSection(opensearchPlugin)).toMatchObject({
      clockSkewMs: 300_000,
      ism: { rolloverAfter: { age: '1d', primaryShardSize: '50gb' } },
    });
  });
});
