import type { Logger } from 'pino';
import type { ConfigResult } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type CommonSection, pluginSection } from '../config/sections.js';
import type { ErrorCode } from '../errors.js';
import { planReload, type ReloadPlan } from '../reload/plan.js';
import { describeProblem, type ReloadOutcome, type ReloadTelemetry } from '../reload/telemetry.js';
import type { PluginInstances } from './instances.js';
import type { Readers } from './readers.js';
import type { HttpServer } from './server.js';

/** What a reload touches: the running parts of the daemon. */
export interface ReloadTarget {
  readonly instances: PluginInstances;
  readonly readers: Readers;
  readonly server: HttpServer;
  readonly logger: Logger;
  /** Makes `config` the one in effect (called as soon as it is known, again if the server falls back). */
  use(config: Config): void;
}

/**
 * Reloads a running daemon from `current` to `next` (see the Daemon's class comment): an invalid
 * `next`, or one that changes what only a restart can, is refused whole; otherwise the plan is
 * applied and the outcome logged and counted.
 */
export async function reloadRunning(
  target: ReloadTarget & { readonly telemetry: ReloadTelemetry },
  current: Config,
  next: ConfigResult,
): Promise<ReloadOutcome> {
  const { telemetry, logger } = target;
  if (!next.ok) return telemetry.rejected('GAX_ERR_RELOAD_INVALID', next.problems.map(describeProblem));
  const plan = planReload(current, next.config);
  if (plan.needsRestart.length > 0) {
    const problems = plan.needsRestart.map((path) => `${path}: only a restart of the daemon can change it`);
    return telemetry.rejected('GAX_ERR_RELOAD_RESTART', problems);
  }
  for (const warning of next.warnings) {
    logger.warn({ warning: describeProblem(warning) }, 'Configuration warning.');
  }
  const started = performance.now();
  const problems = await applyReload(target, plan, current, next.config).catch((err: unknown) => {
    logger.error(
      { err, code: 'GAX_ERR_RELOAD_FAILED' satisfies ErrorCode },
      'Applying the configuration failed.',
    );
    return [String(err)];
  });
  const ms = performance.now() - started;
  return problems.length === 0
    ? telemetry.applied(plan.changes, ms)
    : telemetry.failed(plan.changes, problems, ms);
}

/**
 * Applies `plan` (from `current` to `next`) to the running parts. Readers first (each drains and
 * commits as at shutdown), then the plugins they fed; changed and added plugins are created and
 * started anew, and a reader is started for each. A plugin that fails to start keeps its previous
 * section (started again) or, if it had none, counts as not configured, so the next reload tries
 * again; the server likewise falls back to its previous settings. Returns what could not be
 * applied; the config in effect is handed to `target.use`.
 */
export async function applyReload(
  target: ReloadTarget,
  plan: ReloadPlan,
  current: Config,
  next: Config,
): Promise<string[]> {
  const { instances, readers, logger } = target;
  const deadline = Date.now() + current.pipeline.shutdownTimeoutMs;
  if (next.log.level !== current.log.level) logger.level = next.log.level;
  const stopping = plan.readers ? readers.ids() : [...plan.changed, ...plan.removed];
  await Promise.all(stopping.map((id) => readers.stop(id, deadline)));
  const replaced = [...plan.changed.filter((id) => instances.get(id)?.given !== true), ...plan.removed];
  await Promise.all(replaced.map((id) => instances.drop(id, deadline)));
  for (const id of plan.removed) instances.forgetGiven(id);
  // Only with every reader stopped: plan.readers is set too.
  if (plan.deadLetter) await readers.replaceDeadLetter(next.pipeline.deadLetter);
  const problems: string[] = [];
  const kept = new Map<string, CommonSection | undefined>();
  for (const id of [...plan.changed, ...plan.added]) {
    if (instances.get(id) !== undefined) continue; // a given plugin, kept across a change of its section
    const failure = await addInstance(target, id, pluginSection(next, id));
    if (failure === undefined) continue;
    problems.push(`plugins.${id}: ${failure}`);
    const previous = pluginSection(current, id);
    const back = plan.changed.includes(id) ? await addInstance(target, id, previous) : 'was not running';
    kept.set(id, back === undefined || previous === undefined ? previous : { ...previous, enabled: false });
  }
  let effective: Config = { ...next, plugins: Object.assign({ ...next.plugins }, Object.fromEntries(kept)) };
  target.use(effective);
  readers.configure(effective);
  readers.startIdle(instances.plugins());
  if (plan.server) {
    const failure = await target.server.restart(current.server, next.server);
    if (failure !== undefined) {
      problems.push(`server: ${failure}`);
      effective = { ...effective, server: { ...current.server, readiness: next.server.readiness } };
      target.use(effective);
    }
  }
  return problems;
}

/** Creates and starts a plugin for a reload; on failure undoes it and says why. */
async function addInstance(target: ReloadTarget, id: string, section: unknown): Promise<string | undefined> {
  const { instances, logger } = target;
  try {
    await instances.start(await instances.create(id, section));
    return undefined;
  } catch (err) {
    await instances.drop(id, Date.now() + 1000); // what a failed start registered goes too
    logger.error(
      { err, plugin: id, code: 'GAX_ERR_RELOAD_FAILED' satisfies ErrorCode },
      'Plugin failed to start on reload.',
    );
    return err instanceof Error ? err.message : String(err);
  }
}
