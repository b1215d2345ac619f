/**
 * One `gax run` per state directory (src/commands/state-lock.ts), on the built CLI: a second
 * daemon on the same state waits while the first runs and starts once it stops (a rolling
 * restart); a daemon SIGKILLed and restarted in place starts at once; one that cannot get the
 * lock refuses with GAX_ERR_STATE_LOCKED.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDaemon } from '../../src/commands/run.js';
import { parseConfig } from '../../src/config/load.js';
import { isGaxError } from '../../src/errors.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';

let dir: string;
const running: ReturnType<typeof startCli>[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-state-lock-'));
  await mkdir(join(dir, 'logs'));
  await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${responseLine('r1')}\n`);
});
afterEach(async () => {
  for (const d of running.splice(0)) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const YAML = (out: string) =>
  [
    'inputs: [{ paths: [logs/apim_metrics.log], pollIntervalMs: 20 }]',
    'state: { dir: state }',
    'server: { enabled: false }',
    'log: { level: info, format: json }',
    `plugins: { file: { enabled: true, path: ${out} }, prometheus: { enabled: false } }`,
    '',
  ].join('\n');

async function config(out = 'out/events.ndjson'): Promise<string> {
  const path = join(dir, 'gax.yaml');
  await writeFile(path, YAML(out));
  return path;
}

function start(path: string): ReturnType<typeof startCli> {
  const d = startCli(['run', '--config', path]);
  running.push(d);
  return d;
}

describe('the state directory lock', () => {
  it('makes a second gax run wait while the first runs, and start as soon as it stops', async () => {
    const path = await config();
    const first = start(path);
    await waitFor(() => first.output().includes('Daemon started.'), 15_000, 'the first daemon');
    const second = start(path);
    await waitFor(() => second.output().includes('locked by another gax run'), 15_000, 'the wait');
    const waiting = JSON.parse(
      second
        .output()
        .split('\n')
        .find((l) => l.includes('locked by another')) ?? '{}',
    );
    expect(waiting).toMatchObject({ code: 'GAX_ERR_STATE_LOCKED', owner: { pid: first.child.pid } });
    expect(second.output()).not.toContain('Daemon started.');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await waitFor(() => second.output().includes('Daemon started.'), 5_000, 'the second daemon to start');
    const owner = JSON.parse(await readFile(join(dir, 'state', 'gax-run.lock', 'owner.json'), 'utf8'));
    expect(owner.pid).toBe(second.child.pid);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('lets a daemon that waits for the lock be stopped with SIGTERM at once (exit 130), the holder untouched', async () => {
    const path = await config();
    const first = start(path);
    await waitFor(() => first.output().includes('Daemon started.'), 15_000, 'the first daemon');
    const second = start(path);
    await waitFor(() => second.output().includes('locked by another gax run'), 15_000, 'the wait');
    const stopping = Date.now();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(130);
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect(second.output()).toContain('stopped while waiting for the lock');
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('lets a daemon SIGKILLed in place restart at once (its dead PID is recognised)', async () => {
    const path = await config();
    const first = start(path);
    await waitFor(() => first.output().includes('Daemon started.'), 15_000, 'the first daemon');
    first.child.kill('SIGKILL');
    await first.exited;
    const restarted = start(path);
    const began = Date.now();
    await waitFor(() => restarted.output().includes('Daemon started.'), 10_000, 'the restart');
    expect(Date.now() - began).toBeLessThan(5_000); // not the lock's 10 s stale time
    expect(restarted.output()).not.toContain('locked by another gax run');
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
  });

  it('refuses with GAX_ERR_STATE_LOCKED when the holder keeps it', async () => {
    const path = await config();
    const first = start(path);
    await waitFor(() => first.output().includes('Daemon started.'), 15_000, 'the first daemon');
    const loaded = parseConfig(YAML('out/second.ndjson'), { env: {}, source: path });
    if (!loaded.ok) throw new Error('config');
    const refused = await runDaemon(loaded.config, silentLogger(), { lockWaitMs: 300 }).catch(
      (err: unknown) => err,
    );
    expect(isGaxError(refused) && refused.code).toBe('GAX_ERR_STATE_LOCKED');
    expect(String((refused as Error).message)).toContain(`pid ${first.child.pid}`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
