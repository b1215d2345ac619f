/**
 * `runDaemon`'s signal handling in process: a SIGHUP that arrives while the daemon is still
 * starting is neither SIGHUP's default action (the process ends) nor lost; it reloads once the
 * daemon runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchEarlyStop } from '../../../src/commands/early-stop.js';
import { runDaemon } from '../../../src/commands/run.js';
import type { ConfigResult } from '../../../src/config/load.js';
import { testConfig, waitFor } from '../../helpers/daemon.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-run-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runDaemon', () => {
  it('serves a SIGHUP received while starting once the daemon runs', async () => {
    const config = testConfig(dir);
    let reloads = 0;
    const reload = async (): Promise<ConfigResult> => {
      reloads++;
      return { ok: true, config, warnings: [] };
    };
    await import('proper-lockfile'); // the state lock's library adds its own signal listeners once, when loaded
    const hupListeners = process.listenerCount('SIGHUP');
    const running = runDaemon(config, pino({ level: 'silent' }), { reload });
    // runDaemon is taking the state lock or inside daemon.start() now: the signal arrives before the daemon runs.
    expect(process.emit('SIGHUP', 'SIGHUP')).toBe(true);
    expect(reloads).toBe(0);
    const { done } = await running;
    await waitFor(() => reloads === 1, 5_000, 'the deferred reload');
    // The early listener is gone; the daemon's own one stays.
    expect(process.listenerCount('SIGHUP')).toBe(hupListeners + 1);
    process.emit('SIGHUP', 'SIGHUP');
    await waitFor(() => reloads === 2, 5_000, 'a reload on a later SIGHUP');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await done).toBe(0);
  });

  it('stops gracefully, once running, on a SIGTERM received while starting (not the default action)', async () => {
    const config = testConfig(dir);
    const early = watchEarlyStop();
    const running = runDaemon(config, pino({ level: 'silent' }), { earlyStop: early });
    expect(process.emit('SIGTERM', 'SIGTERM')).toBe(true); // heard, by the early handler
    const { daemon, done } = await running;
    expect(await done).toBe(0);
    expect(daemon.readiness().checks.daemon?.detail).toBe('stopped');
    early.dispose();
  });
});
