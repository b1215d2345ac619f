/**
 * `gax run` with `plugins.datadog.logs.format: wso2`, end to end: a log file → the daemon → the
 * loopback Datadog stand-in (every logs request checked against Datadog's intake schema). The
 * log items carry the input's `hostName` as `hostname`, `source` `apim_node` and the event's
 * fields as attributes; each event exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { knownLog, writeLog } from '../helpers/es-scenario.js';

const API_KEY = 'wso2-logs-daemon-key';
let receiver: DatadogReceiver;
let dir: string | undefined;
let daemon: Daemon | undefined;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY });
});
afterAll(async () => {
  await receiver?.close();
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('gax run with Datadog logs in WSO2’s format', () => {
  it('sends every event once as an apim_node log of the input’s host, its fields as attributes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-dd-wso2-run-'));
    const log = knownLog(400, { seed: 41, startTime: Date.now() - 5 * 60_000, eventsPerSecond: 2 });
    await writeLog(dir, log.lines);
    const q = JSON.stringify;
    const loaded = parseConfig(
      [
        'inputs:',
        `  - paths: [${q(join(dir, 'logs', 'apim_metrics.log'))}]`,
        '    hostName: apim-gw-node-2',
        '    pollIntervalMs: 20',
        `state: { dir: ${q(join(dir, 'state'))} }`,
        'server: { enabled: false }',
        'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
        'log: { level: warn, format: json }',
        'plugins:',
        `  datadog: { enabled: true, apiKey: ${API_KEY}, url: ${q(receiver.url)}, service: apim, flushIntervalSeconds: 1, logs: { enabled: true, format: wso2 } }`,
      ].join('\n'),
      { env: {} },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    daemon = new Daemon({ config: loaded.config, logger: silentLogger(), version: 'test' });
    await daemon.start();
    const d = daemon;
    await waitFor(
      () => {
        const c = d.counts().datadog;
        return c !== undefined && c.delivered + c.deadLettered === log.events.length;
      },
      60_000,
      'every event delivered to Datadog',
    );
    expect(d.counts().datadog?.deadLettered).toBe(0);
    const logRequests = receiver.requests.filter((r) => r.path === '/api/v2/logs');
    expect(logRequests.flatMap((r) => r.problems)).toEqual([]);
    const items = logRequests
      .filter((r) => r.status === 202)
      .flatMap((r) => r.body as Record<string, unknown>[]);
    expect(items.map((i) => i.correlationId).sort()).toEqual(log.events.map((e) => e.correlationId).sort());
    const byId = new Map(log.events.map((e) => [e.correlationId, e]));
    for (const item of items) {
      const event = byId.get(String(item.correlationId));
      expect(item).toMatchObject({
        ddsource: 'apim_node',
        hostname: 'apim-gw-node-2',
        service: 'apim',
        eventType: event?.eventType,
        apiName: event?.apiName,
        proxyResponseCode: event?.proxyResponseCode,
        gateway: { type: 'wso2-apim' },
      });
      expect(item).not.toHaveProperty('host');
      expect(item.message).toMatch(/^apim:(response|faulty)/);
    }
  });
});
