/** `/readyz`'s checks as a pure function of the daemon's state, its plugins and readers. */
import { describe, expect, it } from 'vitest';
import type { FileState } from '../../../src/sources/tailer.js';
import { PluginHealth } from '../../../src/telemetry/health.js';
import { type ReadinessInputs, readiness } from '../../../src/telemetry/readiness.js';

const NOW = 1_000_000_000;

function file(path: string, offset: number, size: number, behindSince?: number): FileState {
  return { id: path, path, offset, size, behindSince };
}

function inputs(over: Partial<ReadinessInputs> = {}): ReadinessInputs {
  return {
    state: 'running',
    limits: { maxPluginFailing: '5m', maxInputLag: '10m' },
    plugins: [['file', true]],
    health: new PluginHealth(() => NOW),
    readers: [{ id: 'file', files: () => [file('/l/a.log', 10, 10)], errors: () => new Map() }],
    ...over,
  };
}

describe('readiness', () => {
  it('is ready when running, every plugin started and no reader behind', () => {
    expect(readiness(inputs(), NOW)).toEqual({
      ready: true,
      checks: {
        daemon: { ok: true, detail: 'running' },
        'plugin:file': { ok: true },
        checkpoint: { ok: true },
        inputs: { ok: true },
        lag: { ok: true },
      },
    });
  });

  it('turns failing checkpoint writes (a full state directory) not-ready past maxPluginFailing', () => {
    const since = NOW - 300_000;
    expect(readiness(inputs({ checkpointFailingSince: since }), NOW).checks.checkpoint).toEqual({
      ok: true,
      detail: 'cannot be written for 300 s (limit 5m): reading is paused',
    });
    const later = readiness(inputs({ checkpointFailingSince: since }), NOW + 1_000);
    expect(later.ready).toBe(false);
    expect(later.checks.checkpoint?.ok).toBe(false);
  });

  it('is not ready while starting or with a plugin that did not start', () => {
    const r = readiness(inputs({ state: 'starting', plugins: [['es', false]] }), NOW);
    expect(r.ready).toBe(false);
    expect(r.checks.daemon).toEqual({ ok: false, detail: 'starting' });
    expect(r.checks['plugin:es']).toEqual({ ok: false, detail: 'not started' });
  });

  it('turns a failing plugin not-ready only past maxPluginFailing; 0s never', () => {
    let now = NOW;
    const health = new PluginHealth(() => now);
    health.failed('file', 'HTTP 503');
    now += 300_000;
    expect(readiness(inputs({ health }), now).checks['plugin:file']).toEqual({
      ok: true,
      detail: 'failing for 300 s (limit 5m): HTTP 503',
    });
    now += 1_000;
    expect(readiness(inputs({ health }), now).ready).toBe(false);
    const never = inputs({ health, limits: { maxPluginFailing: '0s', maxInputLag: '10m' } });
    expect(readiness(never, now).ready).toBe(true);
  });

  it('names unreadable inputs and readers behind longer than maxInputLag', () => {
    const readers = [
      {
        id: 'es',
        files: () => [file('/l/a.log', 5, 10, NOW - 601_000), file('/l/b.log', 5, 10, NOW - 1_000)],
        errors: () => new Map([['/l/c.log', 'EACCES']]),
      },
    ];
    const r = readiness(inputs({ readers }), NOW);
    expect(r.ready).toBe(false);
    expect(r.checks.inputs).toEqual({ ok: false, detail: '/l/c.log: EACCES' });
    expect(r.checks.lag).toEqual({ ok: false, detail: 'es is 601 s behind /l/a.log (limit 10m)' });
    // Caught up (offset = size) is never behind, whatever behindSince says.
    const caughtUp = [
      { id: 'es', files: () => [file('/l/a.log', 10, 10, NOW - 601_000)], errors: () => new Map() },
    ];
    expect(readiness(inputs({ readers: caughtUp }), NOW).checks.lag).toEqual({ ok: true });
  });
});
