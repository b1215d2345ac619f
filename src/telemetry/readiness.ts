import { parseDurationMs } from '../config/duration.js';
import type { Config } from '../config/schema.js';
import type { Readiness } from '../http/server.js';
import type { FileState } from '../sources/tailer.js';
import type { PluginHealth } from './health.js';

/** What `/readyz` looks at: the daemon's state, its plugins, and each plugin's reader. */
export interface ReadinessInputs {
  /** The daemon's lifecycle state; only `running` is ready. */
  readonly state: string;
  readonly limits: Config['server']['readiness'];
  /** Each plugin and whether it started. */
  readonly plugins: Iterable<readonly [id: string, started: boolean]>;
  readonly health: PluginHealth;
  /** Each plugin's reader: its files and the inputs it cannot read (path → reason). */
  readonly readers: readonly {
    readonly id: string;
    files(): readonly FileState[];
    errors(): ReadonlyMap<string, string>;
  }[];
  /** When checkpoint writes began to fail (undefined while they work). */
  readonly checkpointFailingSince?: number | undefined;
}

/**
 * `/readyz`: not ready while starting or stopping, when a plugin did not start or has been
 * failing longer than `server.readiness.maxPluginFailing` (the checkpoint's writes too), when an input cannot be read, or when
 * a plugin's reader has been behind a file longer than `maxInputLag`. Each check says why.
 */
export function readiness(inputs: ReadinessInputs, now = Date.now()): Readiness {
  const { limits } = inputs;
  const maxFailingMs = parseDurationMs(limits.maxPluginFailing);
  const maxLagMs = parseDurationMs(limits.maxInputLag);
  const checks: Record<string, { ok: boolean; detail?: string }> = {
    daemon: { ok: inputs.state === 'running', detail: inputs.state },
  };
  for (const [id, started] of inputs.plugins) {
    const failing = inputs.health.failing(id);
    checks[`plugin:${id}`] = !started
      ? { ok: false, detail: 'not started' }
      : failing === undefined
        ? { ok: true }
        : {
            ok: maxFailingMs === 0 || failing.ms <= maxFailingMs,
            detail: `failing for ${seconds(failing.ms)} s (limit ${limits.maxPluginFailing}): ${failing.reason}`,
          };
  }
  const since = inputs.checkpointFailingSince;
  checks.checkpoint =
    since === undefined
      ? { ok: true }
      : {
          ok: maxFailingMs === 0 || now - since <= maxFailingMs,
          detail: `cannot be written for ${seconds(now - since)} s (limit ${limits.maxPluginFailing}): reading is paused`,
        };
  const unreadable = new Map(inputs.readers.flatMap((r) => [...r.errors()]));
  checks.inputs =
    unreadable.size === 0
      ? { ok: true }
      : { ok: false, detail: [...unreadable].map(([path, reason]) => `${path}: ${reason}`).join('; ') };
  const behind = inputs.readers.flatMap((r) =>
    r.files().flatMap((f) => {
      if (f.behindSince === undefined || f.offset >= f.size) return [];
      const ms = now - f.behindSince;
      return maxLagMs > 0 && ms > maxLagMs ? [`${r.id} is ${seconds(ms)} s behind ${f.path}`] : [];
    }),
  );
  checks.lag =
    behind.length === 0
      ? { ok: true }
      : { ok: false, detail: `${behind.join('; ')} (limit ${limits.maxInputLag})` };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
