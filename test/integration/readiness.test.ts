import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon.js';
import type { Readiness } from '../../src/http/server.js';
import { DELIVERED, retryable } from '../../src/plugin/result.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { HangingPlugin, ScriptedPlugin } from '../doubles/plugins.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';

let dir: string;
let daemon: Daemon | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-ready-'));
  await mkdir(join(dir, 'logs'));
});
afterEach(async () => {
  await daemon?.stop(500);
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

const logPath = () => join(dir, 'logs', 'apim_metrics.log');

/** testConfig with these readiness limits (the rest default) and pipeline settings. */
function config(
  readiness: Partial<Config['server']['readiness']>,
  pipeline: Partial<Config['pipeline']> = {},
): Config {
  const base = testConfig(dir);
  return {
    ...base,
    server: { ...base.server, readiness: { ...base.server.readiness, ...readiness } },
    pipeline: { ...base.pipeline, ...pipeline },
  };
}

async function readyz(d: Daemon): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${d.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

describe('/readyz tells the truth', () => {
  it('turns 503 once a plugin has been failing longer than maxPluginFailing, and 200 when it delivers again', async () => {
    let down = true;
    const file = new ScriptedPlugin(() =>
      down ? retryable('connect ECONNREFUSED 127.0.0.1:9200') : DELIVERED,
    );
    daemon = new Daemon({
      config: config({ maxPluginFailing: '1s' }),
      logger: silentLogger(),
      version: 'test',
      plugins: { file },
    });
    await daemon.start();
    await appendFile(logPath(), `${responseLine('r1')}\n`);
    const d = daemon;
    await waitFor(async () => (await readyz(d)).status === 503, 15_000, '/readyz to turn 503');
    const { body } = await readyz(d);
    expect(body.ready).toBe(false);
    expect(body.checks['plugin:file']).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /^failing for \d+ s \(limit 1s\): connect ECONNREFUSED 127\.0\.0\.1:9200$/,
      ),
    });
    expect(body.checks['plugin:prometheus']).toEqual({ ok: true });
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);

    down = false;
    await waitFor(async () => (await readyz(d)).status === 200, 60_000, '/readyz to recover');
    expect(file.delivered.map((e) => e.correlationId)).toEqual(['r1']);
  });

  it('stays 200 while a plugin fails for less than the limit', async () => {
    const file = new ScriptedPlugin((_e, attempt) =>
      attempt < 3 ? retryable('503 from backend') : DELIVERED,
    );
    daemon = new Daemon({
      config: config({ maxPluginFailing: '5m' }),
      logger: silentLogger(),
      version: 'test',
      plugins: { file },
    });
    await daemon.start();
    await appendFile(logPath(), `${responseLine('r1')}\n`);
    const d = daemon;
    await waitFor(() => file.attempts.get('r1') === 2, 10_000, 'a second attempt');
    const during = await readyz(d);
    expect(during.status).toBe(200);
    expect(during.body.checks['plugin:file']?.detail).toMatch(
      /^failing for \d+ s \(limit 5m\): 503 from backend$/,
    );
    await waitFor(() => file.delivered.length === 1, 30_000, 'delivery');
  });

  it('turns 503 when a reader is behind its file longer than maxInputLag, naming plugin and file', async () => {
    daemon = new Daemon({
      config: config({ maxInputLag: '1s' }, { batchMaxEvents: 1, queueMaxBatches: 1, detachAfterMs: 200 }),
      logger: silentLogger(),
      version: 'test',
      plugins: { file: new HangingPlugin() },
    });
    await daemon.start();
    const lines = Array.from({ length: 2000 }, (_, i) => responseLine(`l${i}`)).join('\n');
    await appendFile(logPath(), `${lines}\n`);
    const d = daemon;
    await waitFor(async () => (await readyz(d)).status === 503, 15_000, '/readyz to turn 503');
    const { body } = await readyz(d);
    expect(body.checks.lag).toEqual({
      ok: false,
      detail: expect.stringMatching(new RegExp(`^file is \\d+ s behind ${logPath()} \\(limit 1s\\)$`)),
    });
    expect(body.checks['plugin:file']).toEqual({ ok: true });
  });

  it('sees a backlog that grows behind a reader held by a full queue: lag on /metrics and /readyz', async () => {
    daemon = new Daemon({
      config: config({ maxInputLag: '1s' }, { batchMaxEvents: 1, queueMaxBatches: 1, detachAfterMs: 200 }),
      logger: silentLogger(),
      version: 'test',
      plugins: { file: new HangingPlugin() },
    });
    await daemon.start();
    // The first chunk's batch hangs in the plugin; the reader then reads the second chunk to the
    // end of the file as it knows it and waits in accept (queue full). What is appended after
    // that is unread, and no read loop looks at the file any more.
    const d = daemon;
    const lagBytes = async () =>
      sample(
        await (await fetch(`${d.url}/metrics`)).text(),
        `gax_input_lag_bytes{plugin="file",file="${logPath()}"}`,
      );
    await appendFile(logPath(), `${responseLine('h1')}\n`);
    await waitFor(async () => (await lagBytes()) === 0, 10_000, 'the reader to read the first chunk');
    await new Promise((r) => setTimeout(r, 200));
    await appendFile(logPath(), `${responseLine('h2')}\n`);
    const linesRead = async () =>
      sample(await (await fetch(`${d.url}/metrics`)).text(), 'gax_lines_read_total{plugin="file"}');
    await waitFor(async () => (await linesRead()) === 2, 10_000, 'the reader to take h2');
    await new Promise((r) => setTimeout(r, 100)); // and to wait for queue space
    const backlog = Array.from({ length: 500 }, (_, i) => responseLine(`g${i}`)).join('\n');
    await appendFile(logPath(), `${backlog}\n`);
    expect(await lagBytes()).toBe(Buffer.byteLength(backlog) + 1);
    await waitFor(async () => (await readyz(d)).status === 503, 15_000, '/readyz to turn 503');
    expect((await readyz(d)).body.checks.lag?.ok).toBe(false);
  });

  it('never turns not-ready for lag or failures when both limits are 0s', () => {
    const d = new Daemon({
      config: config({ maxInputLag: '0s', maxPluginFailing: '0s' }),
      logger: silentLogger(),
      version: 'test',
    });
    expect(d.readiness().checks.lag).toEqual({ ok: true });
  });
});
