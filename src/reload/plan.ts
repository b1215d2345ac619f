import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';
import { type CommonSection, pluginSections } from '../config/sections.js';

/**
 * What applying `next` over the running `current` config takes. Pure: computed before anything
 * is touched, so a reload that cannot be applied is refused whole.
 */
export interface ReloadPlan {
  /** Changed keys that only a process restart can apply (`state.dir`); non-empty: refuse the reload. */
  readonly needsRestart: readonly string[];
  /** Plugin instance ids enabled now and not before: created, started, read from their checkpoint. */
  readonly added: readonly string[];
  /** Plugin ids enabled before and not now: drained and stopped. */
  readonly removed: readonly string[];
  /** Plugin ids enabled in both whose section differs: drained, stopped, started anew. */
  readonly changed: readonly string[];
  /** Inputs, pipeline or any other key the readers use changed: every reader restarts. */
  readonly readers: boolean;
  /** `pipeline.deadLetter` changed: the dead-letter writer is replaced (readers restart). */
  readonly deadLetter: boolean;
  /** `server` changed beyond `readiness` (which is read live): the HTTP server restarts. */
  readonly server: boolean;
  /** What changed, as config paths (`plugins.file`, `pipeline.batchMaxEvents`), for the log. */
  readonly changes: readonly string[];
}

/** Keys whose value is fixed for the life of the process. */
const RESTART_ONLY = ['state', 'log.format'] as const;

export function planReload(current: Config, next: Config): ReloadPlan {
  const changes = changedPaths(current, next);
  const needsRestart = changes.filter((path) => RESTART_ONLY.some((key) => within(path, key)));
  const before = enabledSections(current);
  const after = enabledSections(next);
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const changed = [...after.keys()].filter(
    (id) => before.has(id) && !isDeepStrictEqual(before.get(id), after.get(id)),
  );
  // Everything but the keys handled on their own is read by the readers: a key added to the
  // schema later restarts them unless it is listed here, which errs on the safe side.
  const ownKeys = ['state', 'log', 'server', 'plugins', 'pipeline.shutdownTimeoutMs'];
  return {
    needsRestart,
    added,
    removed,
    changed,
    readers: changes.some((path) => !ownKeys.some((key) => within(path, key))),
    deadLetter: changes.some((path) => within(path, 'pipeline.deadLetter')),
    server: changes.some((path) => within(path, 'server') && !within(path, 'server.readiness')),
    changes,
  };
}

/** Whether nothing at all has to be done. */
export function isEmptyPlan(plan: ReloadPlan): boolean {
  return plan.changes.length === 0;
}

/**
 * Instance id (`file`, `elasticsearch/archive`) → section, for the enabled instances only (a
 * disabled section's options do not matter).
 */
function enabledSections(config: Config): Map<string, CommonSection> {
  return new Map(pluginSections(config).filter(([, section]) => section.enabled));
}

/**
 * Dotted paths of the values that differ, two levels deep at most (`pipeline.retry`,
 * `plugins.file`, `inputs`): as precise as the plan needs, as short as a log line wants.
 */
function changedPaths(a: unknown, b: unknown, prefix = '', depth = 2): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (depth === 0 || !isRecord(a) || !isRecord(b)) return [prefix];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) =>
    changedPaths(a[key], b[key], prefix === '' ? key : `${prefix}.${key}`, depth - 1),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function within(path: string, key: string): boolean {
  return path === key || path.startsWith(`${key}.`);
}
