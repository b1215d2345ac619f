import type { Logger } from 'pino';
import { type ErrorCode, GaxError } from '../errors.js';
import type { Plugin } from '../plugin/contract.js';
import { createPlugin } from '../plugin/registry.js';
import type { PluginHealth } from '../telemetry/health.js';
import { initialiseCounters, type SelfMetrics } from '../telemetry/metrics.js';

/** How long past the shutdown deadline a plugin's `stop()` may take before it is abandoned. */
export const STOP_GRACE_MS = 1000;

/** One plugin instance (`file`, `elasticsearch/archive`) and where it is in its life. */
export interface Instance {
  readonly id: string;
  readonly plugin: Plugin;
  started: boolean;
  /** Given in the options (embedding, tests): never re-created, so a reload keeps it as is. */
  readonly given: boolean;
  /** Aborts the plugin's background work once it has been stopped. */
  readonly abort: AbortController;
}

export interface InstancesOptions {
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
  readonly health: PluginHealth;
  readonly stateDir: string;
  /** Instances to use instead of creating them from the registry, by id. */
  readonly given: Readonly<Record<string, Plugin>>;
  /** The daemon's own abort: every plugin's background work ends with it too. */
  readonly signal: AbortSignal;
}

/**
 * The plugin instances of a daemon: created from the registry (or given), started, stopped
 * within the shutdown deadline, and dropped with their `plugin`-labelled series. Each instance
 * is keyed by its id; two instances of one type are two entries like any other two.
 */
export class PluginInstances {
  readonly #options: InstancesOptions;
  readonly #given: Map<string, Plugin>;
  readonly #entries = new Map<string, Instance>();

  constructor(options: InstancesOptions) {
    this.#options = options;
    this.#given = new Map(Object.entries(options.given));
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  get(id: string): Instance | undefined {
    return this.#entries.get(id);
  }

  /** Every instance's plugin, by id (what the readers feed). */
  plugins(): Map<string, Plugin> {
    return new Map([...this.#entries].map(([id, e]) => [id, e.plugin]));
  }

  /** Each instance and whether it started (for `/readyz`). */
  states(): [id: string, started: boolean][] {
    return [...this.#entries.values()].map((e) => [e.id, e.started]);
  }

  /** Creates instance `id` from its validated section (or takes the given one); no I/O. */
  async create(id: string, section: unknown): Promise<Instance> {
    const abort = new AbortController();
    const given = this.#given.get(id);
    const entry: Instance =
      given !== undefined
        ? { id, plugin: given, started: false, given: true, abort }
        : { id, plugin: await this.#fromRegistry(id, section), started: false, given: false, abort };
    this.#entries.set(id, entry);
    return entry;
  }

  /** Starts an instance; a failure is GAX_ERR_PLUGIN_START naming it. */
  async start(entry: Instance): Promise<void> {
    const { metrics, signal } = this.#options;
    try {
      await entry.plugin.start(AbortSignal.any([signal, entry.abort.signal]));
    } catch (err) {
      throw new GaxError('GAX_ERR_PLUGIN_START', `plugin "${entry.id}" failed to start: ${String(err)}`, {
        cause: err,
      });
    }
    entry.started = true;
    metrics.pluginUp.set({ plugin: entry.id }, 1);
    initialiseCounters(metrics, entry.id);
  }

  /** Starts every instance created so far, together. */
  async startAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => this.start(entry)));
  }

  /**
   * Stops instance `id` within `deadline` (plus {@link STOP_GRACE_MS}): one whose `stop()` never
   * returns is abandoned there with GAX_ERR_PLUGIN_STOP, so shutdown and the process still end.
   */
  async stop(id: string, deadline: number): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    const { logger } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<'abandoned'>((resolve) => {
      timer = setTimeout(() => resolve('abandoned'), Math.max(0, deadline - Date.now()) + STOP_GRACE_MS);
    });
    try {
      const outcome = await Promise.race([entry.plugin.stop(deadline), abandoned]);
      if (outcome === 'abandoned') {
        logger.error(
          { plugin: id, code: 'GAX_ERR_PLUGIN_STOP' satisfies ErrorCode },
          'Plugin did not stop within the shutdown deadline; abandoned.',
        );
      }
    } catch (err) {
      logger.error(
        { err, plugin: id, code: 'GAX_ERR_PLUGIN_STOP' satisfies ErrorCode },
        'Plugin failed to stop.',
      );
    } finally {
      clearTimeout(timer);
    }
    entry.abort.abort();
  }

  /** Stops every instance by `deadline` (see {@link stop}). */
  async stopAll(deadline: number): Promise<void> {
    await Promise.all(this.ids().map((id) => this.stop(id, deadline)));
  }

  /** Stops instance `id` and forgets it, with its `plugin`-labelled daemon series and health. */
  async drop(id: string, deadline: number): Promise<void> {
    const { metrics, health } = this.#options;
    await this.stop(id, deadline);
    this.#entries.delete(id);
    metrics.pluginUp.remove({ plugin: id });
    metrics.queueDepth.remove({ plugin: id });
    health.delivered(id);
  }

  /** A removed instance that was given is not started again by a later reload. */
  forgetGiven(id: string): void {
    this.#given.delete(id);
  }

  #fromRegistry(id: string, section: unknown): Promise<Plugin> {
    const { logger, metrics, stateDir } = this.#options;
    const settings = { id, logger: logger.child({ plugin: id }), registry: metrics.registry, stateDir };
    return createPlugin(id, section, settings);
  }
}
