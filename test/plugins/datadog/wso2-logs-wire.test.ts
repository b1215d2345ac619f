/**
 * `logs.format: wso2` on the wire: the Datadog plugin (behind the PII wrapper, as the daemon runs
 * it) against the loopback receiver, which checks every logs request against Datadog's intake
 * schema and limits (5 MB uncompressed, 1,000 items, 1 MB per item).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import { create as createDatadog } from '../../../plugins/datadog/plugin.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import { withPii } from '../../../src/pii/plugin.js';
import { type PiiConfig, PiiSchema } from '../../../src/pii/schema.js';
import type { Plugin } from '../../../src/plugin/contract.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import {
  DATADOG_LIMITS,
  type DatadogReceiver,
  startDatadogReceiver,
} from '../../helpers/datadog-receiver.js';

const API_KEY = 'wso2-logs-key';
const HASH_KEY = 'a-pii-hash-key-0123456789';
let receiver: DatadogReceiver;
let dir: string;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY });
  dir = await mkdtemp(join(tmpdir(), 'gax-dd-wso2-logs-'));
});
afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  receiver.clear();
  receiver.reset();
});

/** Generated traffic of the last few minutes, stamped as `gax run` stamps it. */
function events(count: number, seed: number): CanonicalEvent[] {
  const gen = createGenerator({ seed, startTime: Date.now() - 5 * 60_000, eventsPerSecond: count / 240 });
  const out: CanonicalEvent[] = [];
  while (out.length < count) {
    const parsed = parseLine(gen.next());
    if (parsed.kind === 'event')
      out.push({ ...parsed.event, gateway: { type: 'wso2-apim' }, host: { name: 'apim-gw-3' } });
  }
  return out;
}

async function plugin(extra: Partial<DatadogConfig> = {}): Promise<Plugin> {
  const config: DatadogConfig = {
    ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
    enabled: true,
    apiKey: API_KEY,
    url: receiver.url,
    env: 'prod',
    service: 'apim',
    flushIntervalSeconds: 1,
    logs: { enabled: true, format: 'wso2', source: '' },
    ...extra,
  };
  const p = withPii(
    createDatadog(config, { id: 'datadog', logger: silentLogger(), registry: new Registry(), stateDir: dir }),
    Value.Default(PiiSchema, { userName: 'hash', userIp: 'mask', hashKey: HASH_KEY }) as PiiConfig,
  );
  await p.start(new AbortController().signal);
  return p;
}

type Item = Record<string, unknown>;
const accepted = (): Item[] =>
  receiver.requests
    .filter((r) => r.path === '/api/v2/logs' && r.status === 202)
    .flatMap((r) => r.body as Item[]);
const logProblems = () =>
  receiver.requests.filter((r) => r.path === '/api/v2/logs').flatMap((r) => r.problems);

describe('datadog logs in WSO2’s format, on the wire', () => {
  it('sends every event once with source apim_node, the gateway host, its fields as attributes and PII applied', async () => {
    const batch = events(1500, 31);
    const p = await plugin();
    try {
      const results = await p.send(batch, new AbortController().signal);
      expect(results.every((r) => r.status === 'delivered')).toBe(true);
    } finally {
      await p.stop(Date.now() + 2000);
    }
    expect(logProblems()).toEqual([]);
    const items = accepted();
    expect(items.map((i) => i.correlationId).sort()).toEqual(batch.map((e) => e.correlationId).sort());
    expect(receiver.requests.filter((r) => r.path === '/api/v2/logs').length).toBeGreaterThanOrEqual(2);
    const byId = new Map(batch.map((e) => [e.correlationId, e]));
    for (const item of items) {
      const event = byId.get(String(item.correlationId)) as CanonicalEvent;
      expect(item).toMatchObject({
        ddsource: 'apim_node',
        hostname: 'apim-gw-3',
        service: 'apim',
        ddtags: 'env:prod,service:apim',
        eventType: event.eventType,
        apiName: event.apiName,
        timestamp: Date.parse(event.requestTimestamp),
      });
      expect(String(item.message)).toMatch(new RegExp(`^apim:${event.eventType}( |$)`));
      expect(item).not.toHaveProperty('host');
      if (event.userName !== undefined && event.userName !== 'UNKNOWN') {
        expect(item.userName).toMatch(/^[0-9a-f]{32}$/);
        expect((item.properties as Item).userName ?? item.userName).toBe(item.userName);
      }
      if (event.userIp?.includes('.') === true) expect(item.userIp).toMatch(/\.0$/);
      if (event.responseLatency !== undefined) expect(item.responseLatency).toBe(event.responseLatency);
    }
  });

  it('cuts large events into requests within Datadog’s byte limit, each event once', async () => {
    const header = 'x'.repeat(200_000);
    const batch = events(60, 32).map((e, i) => ({
      ...e,
      // One event's headers alone are over Datadog's 1 MB per entry: sent without them.
      properties: { ...e.properties, requestHeaders: { 'x-big': i === 7 ? header.repeat(6) : header } },
    }));
    const p = await plugin();
    try {
      const results = await p.send(batch, new AbortController().signal);
      expect(results.every((r) => r.status === 'delivered')).toBe(true);
    } finally {
      await p.stop(Date.now() + 2000);
    }
    expect(logProblems()).toEqual([]);
    const requests = receiver.requests.filter((r) => r.path === '/api/v2/logs');
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const r of requests) {
      expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThanOrEqual(DATADOG_LIMITS.logsDecodedBytes);
    }
    expect(
      accepted()
        .map((i) => i.correlationId)
        .sort(),
    ).toEqual(batch.map((e) => e.correlationId).sort());
    const slimmed = accepted().filter((i) => i.apim !== undefined);
    expect(slimmed).toEqual([
      expect.objectContaining({
        correlationId: batch[7]?.correlationId,
        apim: { omitted: ['properties.requestHeaders'] },
      }),
    ]);
  });
});
