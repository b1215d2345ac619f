import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ConfigResult } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { enabledPlugins, pluginSection } from '../config/sections.js';
import type { Readiness } from '../http/server.js';
import type { Plugin } from '../plugin/contract.js';
import { createReloadTelemetry, type ReloadOutcome, type ReloadTelemetry } from '../reload/telemetry.js';
import { Checkpointer } from '../sources/checkpointer.js';
import { createInputTelemetry, createPipelineTelemetry } from '../telemetry/events.js';
import { PluginHealth } from '../telemetry/health.js';
import { createSelfMetrics, type SelfMetrics } from '../telemetry/metrics.js';
import { readiness } from '../telemetry/readiness.js';
import { PluginInstances } from './instances.js';
import { type Counts, Readers } from './readers.js';
import { reloadRunning } from './reload-apply.js';
import { HttpServer } from './server.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  /** Plugin instances to use instead of creating them from the registry (embedding, tests). */
  readonly plugins?: Readonly<Record<string, Plugin>>;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Start and stop order of the daemon. Start: metrics and HTTP server (so `/healthz` answers
 * at once), plugins (./instances.ts), then the readers (./readers.ts) from the checkpoint. Stop:
 * the reverse, flushing within the deadline.
 *
 * Reload ({@link reload}, on SIGHUP): the new config is diffed against the running one
 * (src/reload/plan.ts) and only what changed is touched (./reload-apply.ts). A plugin whose
 * section changed, was added or removed has its reader stopped the way shutdown stops it (stop
 * reading, deliver what is queued, commit), then the plugin itself is stopped and, unless
 * removed, started anew; its new reader resumes from the positions the old one committed, as
 * after a restart, so nothing is lost or read twice. An input or pipeline change restarts every
 * reader but no plugin. Unchanged plugins, the metrics registry (so their counters) and, unless
 * `server` changed, the HTTP server are left running. Reloads run one at a time; stop waits for
 * the one under way.
 */
export class Daemon {
  readonly metrics: SelfMetrics;
  #config: Config;
  readonly #logger: Logger;
  readonly #instances: PluginInstances;
  readonly #server: HttpServer;
  /** The readers and what they share; created once the plugins run and the checkpoint is loaded. */
  #readers: Readers | undefined;
  #state: State = 'new';
  #reloads: Promise<unknown> = Promise.resolve();
  readonly #abort = new AbortController();
  readonly #health = new PluginHealth();
  readonly #reloadTelemetry: ReloadTelemetry;

  constructor(options: DaemonOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.metrics = createSelfMetrics({
      version: options.version,
      live: () => ({
        files: () => this.#routes().flatMap((r) => r.files().map((f) => ({ ...f, plugin: r.id }))),
        checkpointAgeSeconds: () => this.#readers?.checkpointer.ageSeconds,
        checkpointWriteFailures: () => this.#readers?.checkpointer.writeFailures ?? 0,
        checkpointWrites: () => this.#readers?.checkpointer.writes,
      }),
    });
    this.#instances = new PluginInstances({
      logger: this.#logger,
      metrics: this.metrics,
      health: this.#health,
      stateDir: this.#config.state.dir,
      given: options.plugins ?? {},
      signal: this.#abort.signal,
    });
    this.#server = new HttpServer({
      registry: this.metrics.registry,
      readiness: () => this.readiness(),
      logger: this.#logger,
    });
    this.#reloadTelemetry = createReloadTelemetry(this.metrics, this.#logger);
  }

  /** The HTTP server's base URL, once started. */
  get url(): string | undefined {
    return this.#server.url;
  }

  /** Per plugin: events delivered, dead-lettered, and left unacknowledged at stop. */
  counts(): Counts {
    return this.#readers?.counts() ?? {};
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`daemon cannot start from state ${this.#state}`);
    this.#state = 'starting';
    const config = this.#config;
    try {
      await this.#server.open(config.server);
      for (const id of enabledPlugins(config)) await this.#instances.create(id, pluginSection(config, id));
      await this.#instances.startAll();
      const checkpointer = new Checkpointer({
        path: join(config.state.dir, 'checkpoint.json'),
        logger: this.#logger,
      });
      await checkpointer.load();
      const readers = new Readers({
        config,
        checkpointer,
        metrics: this.metrics,
        pipelineTelemetry: createPipelineTelemetry(this.metrics, this.#logger, this.#health),
        inputTelemetry: createInputTelemetry(this.metrics, this.#logger),
        logger: this.#logger,
        health: this.#health,
      });
      this.#readers = readers;
      readers.startAll(
        [...this.#instances.plugins()].map(([id, plugin]) => [id, plugin, checkpointer.saved(id)] as const),
      );
      this.#state = 'running';
      this.#reloadTelemetry.loaded();
      this.#logger.info({ plugins: this.#instances.ids(), inputs: config.inputs.length }, 'Daemon started.');
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
    const readers = this.#readers;
    await readers?.stopAll(deadline);
    await readers?.closeCheckpoint();
    await this.#instances.stopAll(deadline);
    await readers?.closeDeadLetter();
    await this.#server.close();
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
        plugins: this.#instances.states(),
        health: this.#health,
        readers: this.#routes(),
        checkpointFailingSince: this.#readers?.checkpointer.failingSince,
      },
      now,
    );
  }

  #routes(): ReturnType<Readers['all']> {
    return this.#readers?.all() ?? [];
  }

  async #reload(next: ConfigResult): Promise<ReloadOutcome> {
    const readers = this.#readers;
    if (this.#state !== 'running' || readers === undefined) return this.#reloadTelemetry.ignored(this.#state);
    const target = {
      instances: this.#instances,
      readers,
      server: this.#server,
      logger: this.#logger,
      telemetry: this.#reloadTelemetry,
      use: (config: Config) => {
        this.#config = config;
      },
    };
    return reloadRunning(target, this.#config, next);
  }
}
