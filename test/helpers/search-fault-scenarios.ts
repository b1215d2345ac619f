import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startCli } from './cli.js';
import { waitFor } from './daemon.js';
import type { FaultRig, FaultScenario } from './search-faults.js';
import { writeLog } from './search-scenario.js';

/**
 * The fault scenarios every search-index plugin (elasticsearch, opensearch) must survive, run by
 * each backend's test file against its real node through the fault proxy (see search-faults.ts).
 * Each ends in {@link FaultRig.expectExact}: every event of the log in its index exactly once and
 * nothing dead-lettered. `lines` sizes the log; the backends' files pick what their time allows.
 */

const DUPLICATES = ',outcome="duplicate",error_type="version_conflict_engine_exception"';

/** A storm of 429s (with Retry-After) is waited out; each 429 is counted. */
export async function storm429(rig: FaultRig, s: FaultScenario): Promise<void> {
  const before = rig.proxy.stats.faulted;
  rig.proxy.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { times: 4 });
  await writeLog(s.dir, s.log.lines);
  await rig.startDaemon(s);
  await rig.expectExact(s);
  expect(rig.proxy.stats.faulted - before).toBe(4);
  expect(await rig.metric(rig.series('bulk_requests_total', ',status="429"'))).toBe(4);
}

/** Whole bulk requests answered `status` (5xx) are retried. */
export async function status5xx(rig: FaultRig, s: FaultScenario, status = 503): Promise<void> {
  rig.proxy.inject({ kind: 'status', status }, { times: 5 });
  await writeLog(s.dir, s.log.lines);
  await rig.startDaemon(s);
  await rig.expectExact(s);
  expect(await rig.metric(rig.series('bulk_requests_total', `,status="${status}"`))).toBe(5);
  expect(await rig.metric(rig.core('gax_events_retried_total'))).toBeGreaterThan(0);
}

/**
 * Two bulks answered (applied at once, the answer held 6 s) after the 5 s request timeout are
 * resent; their 409s count as delivered. The timeout is long enough that no other bulk (one that
 * creates the indices on a loaded machine) times out.
 */
export async function slowResponses(rig: FaultRig, s: FaultScenario): Promise<void> {
  rig.proxy.inject({ kind: 'delay', ms: 6000 }, { times: 2 });
  await writeLog(s.dir, s.log.lines);
  await rig.startDaemon(s, 5000);
  await rig.expectExact(s);
  const plugin = rig.backend.plugin;
  await waitFor(() => (rig.daemon?.counts()[plugin]?.delivered ?? 0) === s.log.events.length, 10_000);
  expect(await rig.metric(rig.series('bulk_requests_total', ',status="error"'))).toBe(2);
  expect(await rig.metric(rig.series('documents_total', DUPLICATES))).toBeGreaterThan(0);
}

/**
 * Connections reset after the node applied a bulk (the answer lost: the resend is all 409s), then
 * before it reached the node (nothing applied): the second half of the log is appended between.
 */
export async function resetMidBulk(rig: FaultRig, s: FaultScenario): Promise<void> {
  const half = Math.floor(s.log.lines.length / 2);
  const before = rig.proxy.stats.faulted;
  rig.proxy.inject({ kind: 'reset-after' }, { times: 2 });
  const path = await writeLog(s.dir, s.log.lines.slice(0, half));
  await rig.startDaemon(s);
  await waitFor(() => rig.proxy.stats.faulted - before === 2, 20_000, 'two resets after the write');
  rig.proxy.inject({ kind: 'reset-before' }, { times: 2 });
  await appendFile(path, `${s.log.lines.slice(half).join('\n')}\n`);
  await waitFor(() => rig.proxy.stats.faulted - before === 4, 20_000, 'two resets before the write');
  await rig.expectExact(s);
  expect(await rig.metric(rig.series('documents_total', DUPLICATES))).toBeGreaterThan(0);
}

/**
 * Per-item 429s in an otherwise successful bulk: only those items are resent, never the indexed
 * ones. The plugin's default request timeout (30 s): on a loaded machine a bulk that creates the
 * indices can take over a second, and its resend after a timeout would rightly be all 409s.
 */
export async function partial429(rig: FaultRig, s: FaultScenario, minRefused: number): Promise<void> {
  rig.proxy.inject({ kind: 'bulk-item-429', every: 3 }, { times: 3 });
  await writeLog(s.dir, s.log.lines);
  await rig.startDaemon(s, 30_000);
  await rig.expectExact(s);
  const refused = ',outcome="retryable",error_type="es_rejected_execution_exception"';
  expect(await rig.metric(rig.series('documents_total', refused))).toBeGreaterThan(minRefused);
  expect(await rig.metric(rig.series('documents_total', DUPLICATES))).toBe(0);
  const created = ',outcome="created",error_type="none"';
  expect(await rig.metric(rig.series('documents_total', created))).toBe(s.log.events.length);
}

/**
 * The node stopped after the first documents while a writer appends the rest: the plugin's queue
 * fills (reading paused, readiness kept, the plugin down); after the restart every event once.
 */
export async function downThenUp(rig: FaultRig, s: FaultScenario, first: number): Promise<void> {
  const { lines } = s.log;
  const path = await writeLog(s.dir, lines.slice(0, first));
  const daemon = await rig.startDaemon(s);
  await waitFor(async () => (await rig.count(s.prefix)) > 0, 30_000, 'first documents');
  await rig.backend.node.stop();
  let written = first;
  const writer = setInterval(() => {
    if (written >= lines.length) return;
    const next = lines.slice(written, written + 100);
    written += next.length;
    void appendFile(path, `${next.join('\n')}\n`);
  }, 50);
  try {
    await waitFor(() => written >= lines.length, 30_000, 'the writer to finish');
    await waitFor(
      async () => (await rig.metric(rig.core('gax_plugin_queue_batches'))) === 4,
      30_000,
      'the queue to fill (reading paused)',
    );
    expect(await rig.metric(rig.core('gax_plugin_up'))).toBe(0);
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
  } finally {
    clearInterval(writer);
  }
  await rig.backend.node.start();
  await rig.expectExact(s, 120_000);
  expect(await rig.metric(rig.core('gax_plugin_up'))).toBe(1);
}

/**
 * `gax run` (the built CLI) SIGKILLed while bulk requests are in flight (each held 400 ms by the
 * proxy), then started again on the same state: nothing lost, nothing duplicated.
 */
export async function killMidBulk(rig: FaultRig, s: FaultScenario): Promise<void> {
  await writeLog(s.dir, s.log.lines);
  const configPath = join(s.dir, 'gax.yaml');
  const config = [
    'inputs:',
    `  - paths: [${JSON.stringify(join(s.dir, 'logs', 'apim_metrics*.log'))}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${JSON.stringify(join(s.dir, 'state'))} }`,
    'server: { enabled: false }',
    'pipeline: { batchMaxEvents: 200, batchMaxWaitMs: 10, queueMaxBatches: 4, shutdownTimeoutMs: 2000, retry: { initialIntervalMs: 50, maxIntervalMs: 500 } }',
    'log: { level: warn, format: json }',
    'plugins:',
    '  file: { enabled: false }',
    rig.section(s.prefix),
  ].join('\n');
  await writeFile(configPath, config);
  rig.proxy.inject({ kind: 'delay', ms: 400 }, { match: 'bulk' });
  const first = startCli(['run', '--config', configPath]);
  const bulks = rig.proxy.stats.bulkRequests;
  await waitFor(() => rig.proxy.stats.bulkRequests - bulks >= 3, 30_000, 'bulk requests in flight');
  first.child.kill('SIGKILL');
  await first.exited;
  expect(await rig.count(s.prefix)).toBeLessThan(s.log.events.length);
  rig.proxy.clear();
  const second = startCli(['run', '--config', configPath]);
  try {
    await rig.expectExact(s);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
}
