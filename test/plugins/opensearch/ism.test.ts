/**
 * The ISM policy and `gax setup opensearch` against a loopback HTTP server that answers as
 * OpenSearch's template and ISM APIs do (the test nodes have no ISM plugin: its zip is not on
 * Maven Central; see plugins/opensearch/README.md, "ISM"). Checks the requests the real client
 * sends: the policy body, `if_seq_no` / `if_primary_term` on update, created → unchanged →
 * updated, and GAX_ERR_OS_ISM_MISSING when `_cat/plugins` does not list the ISM plugin.
 */
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OsClient } from '../../../plugins/opensearch/client.js';
import type { OpenSearchConfig } from '../../../plugins/opensearch/config.js';
import { opensearchPlugin } from '../../../plugins/opensearch/index.js';
import { ismPolicy } from '../../../plugins/opensearch/ism.js';
import { create } from '../../../plugins/opensearch/plugin.js';
import { runSetupOpenSearch } from '../../../plugins/opensearch/setup/run.js';
import { GaxError } from '../../../src/errors.js';
import { defaultSection } from '../../../src/plugin/default-section.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
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

function section(overrides: Partial<OpenSearchConfig['ism']> = {}): OpenSearchConfig {
  const base = defaultSection(opensearchPlugin);
  return { ...base, node: fake.url, ism: { ...base.ism, enabled: true, ...overrides } };
}

describe('the ISM policy', () => {
  it('deletes each daily index deleteAfterDays after creation and attaches itself to new daily indices', () => {
    const { id, body, checksum } = ismPolicy(section({ deleteAfterDays: 14 }));
    expect(id).toBe('gax-apim-analytics');
    expect(body.policy).toMatchObject({
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }],
        },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: ['apim_event_response-*', 'apim_event_faulty-*'], priority: 100 }],
    });
    expect(body.policy.description).toMatch(new RegExp(`\\(gax checksum ${checksum}\\)$`));
    expect(ismPolicy(section({ deleteAfterDays: 15 })).checksum).not.toBe(checksum);
  });

  it('is created, then unchanged, then updated with the sequence number read when a setting changes', async () => {
    const client = await OsClient.open(section());
    try {
      expect(await client.installPolicy(ismPolicy(section()))).toEqual({
        kind: 'ism policy',
        name: 'gax-apim-analytics',
        result: 'created',
      });
      const create = fake.seen.find((s) => s.method === 'PUT');
      expect(create?.path).toBe('/_plugins/_ism/policies/gax-apim-analytics');
      expect(create?.query.has('if_seq_no')).toBe(false);
      expect(create?.body).toEqual(ismPolicy(section()).body);
      expect((await client.installPolicy(ismPolicy(section()))).result).toBe('unchanged');
      expect(fake.seen.filter((s) => s.method === 'PUT')).toHaveLength(1);
      expect((await client.installPolicy(ismPolicy(section({ deleteAfterDays: 7 })))).result).toBe('updated');
      const update = fake.seen.filter((s) => s.method === 'PUT')[1];
      expect(update?.query.get('if_seq_no')).toBe('0');
      expect(update?.query.get('if_primary_term')).toBe('1');
      expect(JSON.stringify(fake.policies.get('gax-apim-analytics')?.policy)).toContain(
        '"min_index_age":"7d"',
      );
    } finally {
      await client.close();
    }
  });

  it('is refused with GAX_ERR_OS_ISM_MISSING when _cat/plugins does not list the ISM plugin', async () => {
    fake.ism = false;
    const client = await OsClient.open(section());
    try {
      expect(await client.hasIsm()).toBe(false);
      const failure = client.installPolicy(ismPolicy(section()));
      await expect(failure).rejects.toBeInstanceOf(GaxError);
      await expect(failure).rejects.toMatchObject({ code: 'GAX_ERR_OS_ISM_MISSING' });
      expect(fake.seen.some((s) => s.path.startsWith('/_plugins/_ism/'))).toBe(false);
    } finally {
      await client.close();
    }
  });
});

describe('gax setup opensearch (loopback)', () => {
  it('installs the four templates and the policy, and reports all unchanged on a second run', async () => {
    const first = capture();
    await runSetupOpenSearch(section(), first.io);
    expect(first.out()).toMatch(/ism policy\s+gax-apim-analytics\s+created/);
    expect(first.out()).toContain('done: 5 objects (5 created, 0 updated, 0 unchanged)');
    expect([...fake.templates.keys()].sort()).toEqual([
      '_component_template/apim_event-mappings',
      '_component_template/apim_event-settings',
      '_index_template/apim_event_faulty',
      '_index_template/apim_event_response',
    ]);
    const second = capture();
    await runSetupOpenSearch(section(), second.io);
    expect(second.out()).toContain('done: 5 objects (0 created, 0 updated, 5 unchanged)');
  });

  it('fails before installing anything when the cluster has no ISM plugin', async () => {
    fake.ism = false;
    await expect(runSetupOpenSearch(section(), capture().io)).rejects.toMatchObject({
      code: 'GAX_ERR_OS_ISM_MISSING',
    });
    expect(fake.templates.size).toBe(0);
  });

  it('prints the templates and the policy with --print and contacts nothing', async () => {
    const printed = capture();
    await runSetupOpenSearch(section(), printed.io, { print: true });
    const json = JSON.parse(printed.out()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(json.component_templates ?? {})).toEqual([
      'apim_event-mappings',
      'apim_event-settings',
    ]);
    expect(Object.keys(json.index_templates ?? {})).toEqual(['apim_event_response', 'apim_event_faulty']);
    expect(json.ism_policies?.['gax-apim-analytics']).toEqual(ismPolicy(section()).body);
    expect(fake.seen).toEqual([]);
  });
});

/** A plugin instance on the fake, with the ISM policy on. */
function newPlugin() {
  const settings = {
    id: 'opensearch',
    logger: silentLogger(),
    registry: new Registry(),
    stateDir: '/nonexistent',
  };
  return create(section(), settings);
}

describe('the daemon with an ISM policy (loopback)', () => {
  it('holds the events back (retryable) while the cluster that did not answer at start has no ISM, then installs the policy and indexes', async () => {
    fake.catFails = true;
    fake.ism = false;
    const plugin = newPlugin();
    await plugin.start(new AbortController().signal);
    try {
      fake.catFails = false;
      const batch = [testEvent(1), testEvent(2)];
      const held = await plugin.send(batch, new AbortController().signal);
      expect(held.map((r) => r.status)).toEqual(['retryable', 'retryable']);
      expect(held[0]).toMatchObject({ reason: expect.stringContaining('Index State Management') });
      expect(fake.seen.some((s) => s.path === '/_bulk')).toBe(false);
      fake.ism = true;
      const sent = await plugin.send(batch, new AbortController().signal);
      expect(sent.map((r) => r.status)).toEqual(['delivered', 'delivered']);
      expect(fake.policies.has('gax-apim-analytics')).toBe(true);
    } finally {
      await plugin.stop(1000);
    }
  });

  it('fails the start with GAX_ERR_OS_ISM_MISSING when the cluster answers without ISM', async () => {
    fake.ism = false;
    const plugin = newPlugin();
    await expect(plugin.start(new AbortController().signal)).rejects.toMatchObject({
      code: 'GAX_ERR_OS_ISM_MISSING',
    });
    await plugin.stop(1000);
  });
});
