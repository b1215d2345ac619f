import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ConfigResult } from './config/load.js';
import type { Config } from './config/schema.js';
import { enabledPlugins, pluginSection } from './config/sections.js';
import { GaxError } from './errors.js';
import { type Readiness, type RunningServer, startServer } from './http/server.js';
import { type DeadLetterWriter, deadLetterWriter } from './pipeline/dead-letter.js';
import type { LaneCounts } from './pipeline/lane.js';
import type { PipelineTelemetry } from './pipeline/telemetry.js';
import type { Plugin } from './plugin/contract.js';
import { createPlugin } from './plugin/registry.js';
import { planReload, type ReloadPlan } from './reload/plan.js';
import {
  createReloadTelemetry,
  describeProblem,
  type ReloadOutcome,
  type ReloadTelemetry,
} from './reload/telemetry.js';
import { Route } from './route.js';
import type { PluginPositions } from './sources/checkpoint.js';
import { Checkpointer } from './sources/checkpointer.js';
import { createInputTelemetry, createPipelineTelemetry, type InputTelemetry } from './telemetry/events.js';
import { PluginHealth } from './telemetry/health.js';
import { createSelfMetrics, initialiseCounters, type SelfMetrics } from './telemetry/metrics.js';
import { readiness } from './telemetry/readiness.js';

/** How long past the shutdown deadline a plugin's `stop()` may take before it is abandoned. */
const STOP_GRACE_MS = 1000;

export interface DaemonOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  /** Plugin instances to use instead of creating them from the registry (embedding, tests). */
  readonly plugins?: Readonly<Record<string, Plugin>>;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface PluginEntry {
  readonly plugin: Plugin;
  started: boolean;
  /** Given in the options (embedding, tests): never re-created, so a reload keeps it as is. */
  readonly given: boolean;
  /** Aborts the plugin's background work once a reload has stopped it. */
  readonly abort: AbortController;
}

/**
 * Start and stop order of the daemon. Start: metrics and HTTP server (so `/healthz` answers
 * at once), plugins, pipeline, then the inputs. Stop: the reverse, flushing within the deadline.
 *
 * Reload ({@link reload}, on SIGHUP): the new config is diffed against the running one
 * (src/reload/plan.ts) and only what changed is touched. A plugin whose section changed, was
 * added or removed has its reader stopped the way shutdown stops it (stop reading, deliver what
 * is queued, commit), then the plugin itself is stopped and, unless removed, started anew; its
 * new reader resumes from the positions the old one committed, as after a restart, so nothing is
 * lost or read twice. An input or pipeline change restarts every reader but no plugin. Unchanged
 * plugins, the metrics registry (so their counters) and, unless `server` changed, the HTTP
 * server are left running. Reloads run one at a time; stop waits for the one under way.
 */
export class Daemon {
  readonly metrics: SelfMetrics;
  #config: Config;
  readonly #logger: Logger;
  readonly #given: Record<string, Plugin>;
  readonly #plugins = new Map<string, PluginEntry>();
  readonly #routes = new Map<string, Route>();
  /** Counts of readers a reload replaced, so `counts()` covers the whole run. */
  readonly #pastCounts = new Map<string, LaneCounts>();
  /** The plugin whose reader writes rejected lines to the dead-letter file (exactly one does). */
  #rejectsOwner: string | undefined;
  #server: RunningServer | undefined;
  #deadLetter: DeadLetterWriter | undefined;
  #checkpointer: Checkpointer | undefined;
  #state: State = 'new';
  #reloads: Promise<unknown> = Promise.resolve();
  readonly #abort = new AbortController();
  readonly #health = new PluginHealth();
  readonly #pipelineTelemetry: PipelineTelemetry;
  readonly #inputTelemetry: InputTelemetry;
  readonly #reloadTelemetry: ReloadTelemetry;

  constructor(options: DaemonOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#given = { ...options.plugins };
    this.metrics = createSelfMetrics({
      version: options.version,
      live: () => ({
        files: () => this.#allRoutes().flatMap((r) => r.files().map((f) => ({ ...f, plugin: r.id }))),
        checkpointAgeSeconds: () => this.#checkpointer?.ageSeconds,
        checkpointWriteFailures: () => this.#checkpointer?.writeFailures ?? 0,
      }),
    });
    this.#pipelineTelemetry = createPipelineTelemetry(this.metrics, this.#logger, this.#health);
    this.#inputTelemetry = createInputTelemetry(this.metrics, this.#logger);
    this.#reloadTelemetry = createReloadTelemetry(this.metrics, this.#logger);
  }

  /** The HTTP server's base URL, once started. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /** Per plugin: events delivered, dead-lettered, and left unacknowledged at stop. */
  counts(): Record<string, { delivered: number; deadLettered: number; aborted: number }> {
    const counts = new Map([...this.#pastCounts].map(([id, c]) => [id, { ...c }]));
    for (const r of this.#allRoutes())
      counts.set(r.id, addCounts(counts.get(r.id), r.pipeline.counts()[r.id]));
    return Object.fromEntries(counts);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`daemon cannot start from state ${this.#state}`);
    this.#state = 'starting';
    const config = this.#config;
    try {
      if (config.server.enabled) this.#server = await this.#listen(config.server);
      await this.#createPlugins();
      await this.#startPlugins();
      this.#deadLetter = deadLetterWriter(config.pipeline.deadLetter, this.#logger);
      this.#checkpointer = new Checkpointer({
        path: join(config.state.dir, 'checkpoint.json'),
        logger: this.#logger,
      });
      const saved = await this.#checkpointer.load();
      for (const id of this.#plugins.keys()) this.#startRoute(id, saved.get(id) ?? new Map());
      this.#state = 'running';
      this.#reloadTelemetry.loaded();
      this.#logger.info(
        { plugins: [...this.#plugins.keys()], inputs: config.inputs.length },
        'Daemon started.',
      );
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  /** Stops reading, delivers what is in flight until the deadline, saves the checkpoint. Idempotent. */
  async stop(timeoutMs = this.#config.pipeline.shutdownTimeoutMs): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    const deadline = Date.now() + timeoutMs;
    await this.#reloads; // a reload under way finishes first; one queued behind it is ignored
    this.#abort.abort();
    await Promise.all(this.#allRoutes().map((r) => r.stop(deadline)));
    await this.#checkpointer?.close();
    await Promise.all([...this.#plugins.keys()].map((id) => this.#stopPlugin(id, deadline)));
    await this.#deadLetter?.close();
    await this.#server?.close();
    this.#state = 'stopped';
    this.#logger.info({ counts: this.counts(), late: Date.now() > deadline }, 'Daemon stopped.');
  }

  /**
   * Applies a re-read configuration (SIGHUP) without losing or repeating events; see the class
   * comment. An invalid one, or one changing what only a restart can (`state.dir`,
   * `log.format`), is rejected whole and the running configuration kept. Calls run one after
   * another; one that finds the daemon not running (stopping) is ignored.
   */
  reload(next: ConfigResult): Promise<ReloadOutcome> {
    const run = this.#reloads.then(() => this.#reload(next));
    this.#reloads = run.catch(() => undefined);
    return run;
  }

  /** `/readyz`'s answer (src/telemetry/readiness.ts). */
  readiness(now = Date.now()): Readiness {
    return readiness(
      {
        state: this.#state,
        limits: this.#config.server.readiness,
        plugins: [...this.#plugins].map(([id, entry]) => [id, entry.started] as const),
        health: this.#health,
        readers: this.#allRoutes(),
        checkpointFailingSince: this.#checkpointer?.failingSince,
      },
      now,
    );
  }

  async #createPlugins(): Promise<void> {
    for (const id of enabledPlugins(this.#config)) {
      this.#plugins.set(id, await this.#createPlugin(id, pluginSection(this.#config, id)));
    }
  }

  async #createPlugin(id: string, section: unknown): Promise<PluginEntry> {
    const abort = new AbortController();
    const given = this.#given[id];
    if (given !== undefined) return { plugin: given, started: false, given: true, abort };
    const settings = {
      id,
      logger: this.#logger.child({ plugin: id }),
      registry: this.metrics.registry,
      stateDir: this.#config.state.dir,
    };
    return { plugin: await createPlugin(id, section, settings), started: false, given: false, abort };
  }

  async #startPlugins(): Promise<void> {
    await Promise.all([...this.#plugins].map(([id, entry]) => this.#startPlugin(id, entry)));
  }

  async #startPlugin(id: string, entry: PluginEntry): Promise<void> {
    try {
      await entry.plugin.start(AbortSignal.any([this.#abort.signal, entry.abort.signal]));
    } catch (err) {
      throw new GaxError('GAX_ERR_PLUGIN_START', `plugin "${id}" failed to start: ${String(err)}`, {
        cause: err,
      });
    }
    entry.started = true;
    this.metrics.pluginUp.set({ plugin: id }, 1);
    initialiseCounters(this.metrics, id);
  }

  /**
   * Stops a plugin within `deadline` (plus {@link STOP_GRACE_MS}): a plugin whose `stop()` never
   * returns is abandoned there with GAX_ERR_PLUGIN_STOP, so shutdown and the process still end.
   */
  async #stopPlugin(id: string, deadline: number): Promise<void> {
    const entry = this.#plugins.get(id);
    if (entry === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<'abandoned'>((resolve) => {
      timer = setTimeout(() => resolve('abandoned'), Math.max(0, deadline - Date.now()) + STOP_GRACE_MS);
    });
    try {
      const outcome = await Promise.race([entry.plugin.stop(deadline), abandoned]);
      if (outcome === 'abandoned') {
        this.#logger.error(
          { plugin: id, code: 'GAX_ERR_PLUGIN_STOP' },
          'Plugin did not stop within the shutdown deadline; abandoned.',
        );
      }
    } catch (err) {
      this.#logger.error({ err, plugin: id, code: 'GAX_ERR_PLUGIN_STOP' }, 'Plugin failed to stop.');
    } finally {
      clearTimeout(timer);
    }
    entry.abort.abort();
  }

  /** Starts the reader of plugin `id` from `saved`: its own tailers, batches and lane. */
  #startRoute(id: string, saved: PluginPositions): void {
    const { plugin } = this.#plugins.get(id) as PluginEntry;
    const checkpointer = this.#checkpointer as Checkpointer;
    const section = pluginSection(this.#config, id);
    this.#rejectsOwner ??= id;
    const route = new Route({
      id,
      plugin,
      maxEventAge: section?.maxEventAge ?? '0s',
      config: this.#config,
      deadLetter: this.#deadLetter as DeadLetterWriter,
      checkpointer,
      metrics: this.metrics,
      pipelineTelemetry: this.#pipelineTelemetry,
      inputTelemetry: this.#inputTelemetry,
      recordsRejects: this.#rejectsOwner === id,
      logger: this.#logger,
    });
    route.start(saved, checkpointer.horizon(id), () => this.#filesChanged());
    this.#routes.set(id, route);
  }

  #filesChanged(): void {
    this.metrics.filesWatched.set(this.#allRoutes().reduce((n, r) => Math.max(n, r.openFiles), 0));
  }

  /** Stops a reader as shutdown does: no more reading, what is queued delivered by `deadline`, committed. */
  async #stopRoute(id: string, deadline: number): Promise<void> {
    const route = this.#routes.get(id);
    if (route === undefined) return;
    await route.stop(deadline);
    this.#routes.delete(id);
    this.#filesChanged();
    this.#pastCounts.set(id, addCounts(this.#pastCounts.get(id), route.pipeline.counts()[id]));
  }

  #allRoutes(): Route[] {
    return [...this.#routes.values()];
  }

  async #listen(server: Config['server']): Promise<RunningServer> {
    const running = await startServer({
      host: server.host,
      port: server.port,
      ...(server.basicAuth === undefined ? {} : { basicAuth: server.basicAuth }),
      ...(server.tls === undefined ? {} : { tls: server.tls }),
      registry: this.metrics.registry,
      readiness: () => this.readiness(),
      logger: this.#logger,
    });
    this.#logger.info({ url: running.url }, 'HTTP server listening.');
    return running;
  }

  async #reload(next: ConfigResult): Promise<ReloadOutcome> {
    const telemetry = this.#reloadTelemetry;
    if (this.#state !== 'running') return telemetry.ignored(this.#state);
    if (!next.ok) return telemetry.rejected('GAX_ERR_RELOAD_INVALID', next.problems.map(describeProblem));
    const plan = planReload(this.#config, next.config);
    if (plan.needsRestart.length > 0) {
      const problems = plan.needsRestart.map((path) => `${path}: only a restart of the daemon can change it`);
      return telemetry.rejected('GAX_ERR_RELOAD_RESTART', problems);
    }
    for (const warning of next.warnings) {
      this.#logger.warn({ warning: describeProblem(warning) }, 'Configuration warning.');
    }
    const started = performance.now();
    const problems = await this.#apply(plan, next.config).catch((err: unknown) => {
      this.#logger.error({ err, code: 'GAX_ERR_RELOAD_FAILED' }, 'Applying the configuration failed.');
      return [String(err)];
    });
    const ms = performance.now() - started;
    return problems.length === 0
      ? telemetry.applied(plan.changes, ms)
      : telemetry.failed(plan.changes, problems, ms);
  }

  /** Applies `plan`; returns what could not be applied (that part keeps its previous setting). */
  async #apply(plan: ReloadPlan, next: Config): Promise<string[]> {
    const current = this.#config;
    const deadline = Date.now() + current.pipeline.shutdownTimeoutMs;
    if (next.log.level !== current.log.level) this.#logger.level = next.log.level;
    // Readers first (each drains and commits as at shutdown), then the plugins they fed.
    const readers = plan.readers ? [...this.#routes.keys()] : [...plan.changed, ...plan.removed];
    await Promise.all(readers.map((id) => this.#stopRoute(id, deadline)));
    const replaced = [...plan.changed.filter((id) => this.#plugins.get(id)?.given !== true), ...plan.removed];
    await Promise.all(replaced.map((id) => this.#dropPlugin(id, deadline)));
    for (const id of plan.removed) delete this.#given[id]; // a stopped instance is not started again
    if (plan.deadLetter) {
      // Only with every reader stopped: plan.readers is set too.
      await this.#deadLetter?.close();
      this.#deadLetter = deadLetterWriter(next.pipeline.deadLetter, this.#logger);
    }
    const effective: Config = { ...next, plugins: { ...next.plugins } };
    this.#config = effective;
    const problems: string[] = [];
    for (const id of [...plan.changed, ...plan.added]) {
      if (this.#plugins.has(id)) continue; // a given plugin, kept across a change of its section
      const failure = await this.#addPlugin(id, sectionOf(next, id));
      if (failure === undefined) continue;
      problems.push(`plugins.${id}: ${failure}`);
      const previous = sectionOf(current, id);
      const back = plan.changed.includes(id) ? await this.#addPlugin(id, previous) : 'was not running';
      setSection(effective, id, back === undefined ? previous : disabled(previous));
    }
    await this.#startIdleRoutes(deadline);
    if (plan.server) {
      const failure = await this.#restartServer(current.server, next.server);
      if (failure !== undefined) {
        problems.push(`server: ${failure}`);
        effective.server = { ...current.server, readiness: next.server.readiness };
      }
    }
    return problems;
  }

  /** Creates and starts a plugin for a reload; on failure undoes it and says why. */
  async #addPlugin(id: string, section: unknown): Promise<string | undefined> {
    try {
      const entry = await this.#createPlugin(id, section);
      this.#plugins.set(id, entry);
      await this.#startPlugin(id, entry);
      return undefined;
    } catch (err) {
      await this.#dropPlugin(id, Date.now() + 1000); // what a failed start registered goes too
      this.#logger.error(
        { err, plugin: id, code: 'GAX_ERR_RELOAD_FAILED' },
        'Plugin failed to start on reload.',
      );
      return err instanceof Error ? err.message : String(err);
    }
  }

  async #dropPlugin(id: string, deadline: number): Promise<void> {
    await this.#stopPlugin(id, deadline);
    this.#plugins.delete(id);
    this.metrics.pluginUp.remove({ plugin: id });
    this.metrics.queueDepth.remove({ plugin: id });
    this.#health.delivered(id);
  }

  /**
   * Starts a reader for every plugin without one, from the positions committed so far. If the
   * reader that kept rejected lines is gone for good, another one takes that over (restarted
   * if need be, so that it starts writing them from its own position).
   */
  async #startIdleRoutes(deadline: number): Promise<void> {
    if (this.#rejectsOwner !== undefined && !this.#plugins.has(this.#rejectsOwner))
      this.#rejectsOwner = undefined;
    const idle = [...this.#plugins.keys()].filter((id) => !this.#routes.has(id));
    const [heir] = this.#routes.keys();
    if (this.#rejectsOwner === undefined && idle.length === 0 && heir !== undefined) {
      await this.#stopRoute(heir, deadline);
      idle.push(heir);
    }
    const checkpointer = this.#checkpointer as Checkpointer;
    for (const id of idle) this.#startRoute(id, checkpointer.saved(id));
  }

  /** Closes the HTTP server and opens it with `wanted`; if that fails, with `previous` again. */
  async #restartServer(previous: Config['server'], wanted: Config['server']): Promise<string | undefined> {
    await this.#server?.close();
    this.#server = undefined;
    if (!wanted.enabled) {
      this.#logger.info('HTTP server stopped.');
      return undefined;
    }
    try {
      this.#server = await this.#listen(wanted);
      return undefined;
    } catch (err) {
      this.#logger.error(
        { err, code: 'GAX_ERR_RELOAD_FAILED' },
        'HTTP server cannot start with the new settings.',
      );
      if (previous.enabled) {
        this.#server = await this.#listen(previous).catch((again: unknown) => {
          this.#logger.error(
            { err: again, code: 'GAX_ERR_SERVER_LISTEN' },
            'HTTP server cannot start again.',
          );
          return undefined;
        });
      }
      return err instanceof Error ? err.message : String(err);
    }
  }
}

function sectionOf(config: Config, id: string): unknown {
  return (config.plugins as Record<string, unknown>)[id];
}

function setSection(config: Config, id: string, section: unknown): void {
  (config.plugins as Record<string, unknown>)[id] = section;
}

/** A section as if `enabled: false`: what did not start is "added" again by the next reload. */
function disabled(section: unknown): unknown {
  return section === undefined ? undefined : { ...(section as object), enabled: false };
}

function addCounts(a: LaneCounts | undefined, b: LaneCounts | undefined): LaneCounts {
  return {
    delivered: (a?.delivered ?? 0) + (b?.delivered ?? 0),
    deadLettered: (a?.deadLettered ?? 0) + (b?.deadLettered ?? 0),
    aborted: (a?.aborted ?? 0) + (b?.aborted ?? 0),
  };
}
