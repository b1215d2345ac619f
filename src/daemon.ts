import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseDurationMs } from './config/duration.js';
import type { Config } from './config/schema.js';
import { GaxError } from './errors.js';
import { type Readiness, type RunningServer, startServer } from './http/server.js';
import { DeadLetterWriter } from './pipeline/dead-letter.js';
import type { Plugin } from './plugin/contract.js';
import { isPluginType, pluginFactories } from './plugin/registry.js';
import { Route } from './route.js';
import type { PluginPositions } from './sources/checkpoint.js';
import { Checkpointer } from './sources/checkpointer.js';
import { createInputTelemetry, createPipelineTelemetry } from './telemetry/events.js';
import { PluginHealth } from './telemetry/health.js';
import { createSelfMetrics, type SelfMetrics } from './telemetry/metrics.js';

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
 * at once), plugins, pipeline, then the inputs. Stop: the reverse, flushing within the deadline.
 */
export class Daemon {
  readonly metrics: SelfMetrics;
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #given: Readonly<Record<string, Plugin>>;
  readonly #plugins = new Map<string, { plugin: Plugin; started: boolean }>();
  readonly #routes: Route[] = [];
  #server: RunningServer | undefined;
  #deadLetter: DeadLetterWriter | undefined;
  #checkpointer: Checkpointer | undefined;
  #state: State = 'new';
  readonly #abort = new AbortController();
  readonly #health = new PluginHealth();

  constructor(options: DaemonOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#given = options.plugins ?? {};
    this.metrics = createSelfMetrics({
      version: options.version,
      live: () => ({
        files: () => this.#routes.flatMap((r) => r.files().map((f) => ({ ...f, plugin: r.id }))),
        checkpointAgeSeconds: () => this.#checkpointer?.ageSeconds,
      }),
    });
  }

  /** The HTTP server's base URL, once started. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /** Per plugin: events delivered, dead-lettered, and left unacknowledged at stop. */
  counts(): Record<string, { delivered: number; deadLettered: number; aborted: number }> {
    return Object.fromEntries(
      this.#routes.map((r) => [
        r.id,
        r.pipeline.counts()[r.id] ?? { delivered: 0, deadLettered: 0, aborted: 0 },
      ]),
    );
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`daemon cannot start from state ${this.#state}`);
    this.#state = 'starting';
    const config = this.#config;
    try {
      if (config.server.enabled) {
        this.#server = await startServer({
          host: config.server.host,
          port: config.server.port,
          ...(config.server.basicAuth === undefined ? {} : { basicAuth: config.server.basicAuth }),
          ...(config.server.tls === undefined ? {} : { tls: config.server.tls }),
          registry: this.metrics.registry,
          readiness: () => this.readiness(),
          logger: this.#logger,
        });
        this.#logger.info({ url: this.#server.url }, 'HTTP server listening.');
      }
      this.#createPlugins();
      await this.#startPlugins();
      this.#deadLetter = new DeadLetterWriter({
        path: config.pipeline.deadLetter.path,
        maxBytes: config.pipeline.deadLetter.maxBytes,
      });
      this.#checkpointer = new Checkpointer({
        path: join(config.state.dir, 'checkpoint.json'),
        logger: this.#logger,
      });
      const saved = await this.#checkpointer.load();
      this.#startRoutes(this.#deadLetter, this.#checkpointer, saved);
      this.#state = 'running';
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
    this.#abort.abort();
    await Promise.all(this.#routes.map((r) => r.stop(deadline)));
    await this.#checkpointer?.close();
    await Promise.all(
      [...this.#plugins].map(async ([id, { plugin }]) => {
        try {
          await plugin.stop(deadline);
        } catch (err) {
          this.#logger.error({ err, plugin: id, code: 'GAX_ERR_PLUGIN_STOP' }, 'Plugin failed to stop.');
        }
      }),
    );
    await this.#deadLetter?.close();
    await this.#server?.close();
    this.#state = 'stopped';
    this.#logger.info({ counts: this.counts(), late: Date.now() > deadline }, 'Daemon stopped.');
  }

  /**
   * `/readyz`: not ready while starting or stopping, when a plugin did not start or has been
   * failing longer than `server.readiness.maxPluginFailing`, when an input cannot be read, or when
   * a plugin's reader has been behind a file longer than `maxInputLag`. Each check says why.
   */
  readiness(now = Date.now()): Readiness {
    const limits = this.#config.server.readiness;
    const maxFailingMs = parseDurationMs(limits.maxPluginFailing);
    const maxLagMs = parseDurationMs(limits.maxInputLag);
    const checks: Record<string, { ok: boolean; detail?: string }> = {
      daemon: { ok: this.#state === 'running', detail: this.#state },
    };
    for (const [id, { started }] of this.#plugins) {
      const failing = this.#health.failing(id);
      checks[`plugin:${id}`] = !started
        ? { ok: false, detail: 'not started' }
        : failing === undefined
          ? { ok: true }
          : {
              ok: maxFailingMs === 0 || failing.ms <= maxFailingMs,
              detail: `failing for ${seconds(failing.ms)} s (limit ${limits.maxPluginFailing}): ${failing.reason}`,
            };
    }
    const unreadable = new Map(this.#routes.flatMap((r) => [...r.errors()]));
    checks.inputs =
      unreadable.size === 0
        ? { ok: true }
        : { ok: false, detail: [...unreadable].map(([path, reason]) => `${path}: ${reason}`).join('; ') };
    const behind = this.#routes.flatMap((r) =>
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

  #createPlugins(): void {
    for (const [id, section] of Object.entries(this.#config.plugins)) {
      if (section === undefined || !section.enabled) continue;
      const given = this.#given[id];
      if (given !== undefined) {
        this.#plugins.set(id, { plugin: given, started: false });
        continue;
      }
      if (!isPluginType(id)) {
        throw new GaxError(
          'GAX_ERR_PLUGIN_UNKNOWN',
          `plugin "${id}" is enabled but not available in this build`,
        );
      }
      const factory = pluginFactories[id];
      const settings = {
        id,
        logger: this.#logger.child({ plugin: id }),
        registry: this.metrics.registry,
        stateDir: this.#config.state.dir,
      };
      const plugin = (factory.create as (config: unknown, s: typeof settings) => Plugin)(section, settings);
      this.#plugins.set(id, { plugin, started: false });
    }
  }

  async #startPlugins(): Promise<void> {
    await Promise.all(
      [...this.#plugins].map(async ([id, entry]) => {
        try {
          await entry.plugin.start(this.#abort.signal);
          entry.started = true;
          this.metrics.pluginUp.set({ plugin: id }, 1);
          initialiseCounters(this.metrics, id);
        } catch (err) {
          throw new GaxError('GAX_ERR_PLUGIN_START', `plugin "${id}" failed to start: ${String(err)}`, {
            cause: err,
          });
        }
      }),
    );
  }

  #startRoutes(
    deadLetter: DeadLetterWriter,
    checkpointer: Checkpointer,
    saved: ReadonlyMap<string, PluginPositions>,
  ): void {
    const pipelineTelemetry = createPipelineTelemetry(this.metrics, this.#logger, this.#health);
    const inputTelemetry = createInputTelemetry(this.metrics, this.#logger);
    const onFilesChanged = (): void =>
      this.metrics.filesWatched.set(this.#routes.reduce((n, r) => Math.max(n, r.openFiles), 0));
    for (const [id, { plugin }] of this.#plugins) {
      const section = this.#config.plugins[id as keyof Config['plugins']];
      const route = new Route({
        id,
        plugin,
        maxEventAge: section?.maxEventAge ?? '0s',
        config: this.#config,
        deadLetter,
        checkpointer,
        metrics: this.metrics,
        pipelineTelemetry,
        inputTelemetry,
        recordsRejects: this.#routes.length === 0,
        logger: this.#logger,
      });
      route.start(saved.get(id) ?? new Map(), checkpointer.horizon(id), onFilesChanged);
      this.#routes.push(route);
    }
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

const REJECT_REASONS = [
  'line_too_long',
  'truncated_json',
  'invalid_json',
  'unknown_metric',
  'not_an_object',
  'missing_field',
  'invalid_field',
] as const;

/** Exposes a plugin's counters at 0 from the start, so `increase()` sees their first step. */
function initialiseCounters(metrics: SelfMetrics, plugin: string): void {
  metrics.eventsDelivered.inc({ plugin }, 0);
  metrics.eventsRetried.inc({ plugin }, 0);
  metrics.linesRead.inc({ plugin }, 0);
  for (const kind of ['rejected', 'exhausted']) metrics.eventsDeadLettered.inc({ plugin, kind }, 0);
  for (const reason of REJECT_REASONS) metrics.linesRejected.inc({ plugin, reason }, 0);
  metrics.eventsSkipped.inc({ plugin, reason: 'too_old' }, 0);
}
