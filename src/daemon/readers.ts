import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { pluginSection } from '../config/sections.js';
import type { ErrorCode } from '../errors.js';
import { type DeadLetterWriter, deadLetterWriter } from '../pipeline/dead-letter.js';
import type { LaneCounts } from '../pipeline/lane.js';
import type { PipelineTelemetry } from '../pipeline/telemetry.js';
import type { Plugin } from '../plugin/contract.js';
import { type Input, openInput, Route } from '../route.js';
import type { PluginPositions } from '../sources/checkpoint.js';
import type { Checkpointer } from '../sources/checkpointer.js';
import { ParsePool, resolveWorkers } from '../sources/parse-pool.js';
import { adoptStoredPositions } from '../sources/stored-positions.js';
import type { InputTelemetry } from '../telemetry/events.js';
import type { PluginHealth } from '../telemetry/health.js';
import type { SelfMetrics } from '../telemetry/metrics.js';

export interface ReadersOptions {
  readonly config: Config;
  /** Loaded: its saved positions are where each reader starts. */
  readonly checkpointer: Checkpointer;
  readonly metrics: SelfMetrics;
  readonly pipelineTelemetry: PipelineTelemetry;
  readonly inputTelemetry: InputTelemetry;
  readonly logger: Logger;
  /** `/readyz`'s view of each plugin: one waiting for its stored positions shows as failing. */
  readonly health?: PluginHealth;
}

/** Per plugin: events delivered, dead-lettered, and left unacknowledged at stop. */
export type Counts = Record<string, LaneCounts>;

/**
 * The readers of a running daemon: one shared reader per input (read and parsed once, rejected
 * lines kept once), one {@link Route} per plugin instance fed from them, and what they share:
 * the checkpoint and the dead-letter writer. Created at start, once the checkpoint is loaded.
 */
export class Readers {
  readonly checkpointer: Checkpointer;
  readonly #options: ReadersOptions;
  #config: Config;
  #deadLetter: DeadLetterWriter;
  readonly #routes = new Map<string, Route>();
  /** Counts of readers a reload replaced, so {@link counts} covers the whole run. */
  readonly #pastCounts = new Map<string, LaneCounts>();
  /** The inputs, open while any route runs; the first route started sets where they start. */
  #inputs: Input[] | undefined;
  /** The parse workers of the open inputs (`pipeline.workers`), if any. */
  #pool: ParsePool | undefined;
  /** Plugins whose reader starts once the positions they stored are adopted ({@link resume}). */
  readonly #resuming = new Set<string>();

  constructor(options: ReadersOptions) {
    this.#options = options;
    this.checkpointer = options.checkpointer;
    this.#config = options.config;
    this.#deadLetter = deadLetterWriter(options.config.pipeline.deadLetter, options.logger);
  }

  /** Every running reader. */
  all(): Route[] {
    return [...this.#routes.values()];
  }

  ids(): string[] {
    return [...this.#routes.keys()];
  }

  /**
   * Starts every plugin's reader from its saved positions, the furthest first: the inputs'
   * shared readers start where it stopped, and every instance saved at the same place reads
   * from them at once (after a clean stop, all of them).
   */
  startAll(entries: readonly (readonly [string, Plugin, PluginPositions])[]): void {
    const progress = (saved: PluginPositions): number =>
      [...saved.values()].reduce((n, f) => n + f.offset, 0);
    const ordered = [...entries].sort((a, b) => progress(b[2]) - progress(a[2]));
    for (const [id, plugin, saved] of ordered)
      if (plugin.storedPositions === undefined) this.start(id, plugin, saved);
      else this.resume(id, plugin);
  }

  /**
   * Starts plugin `id`'s reader in the background once the positions it stored with its data
   * are adopted (src/sources/stored-positions.ts): a backend that cannot be reached yet (the
   * plugin keeps trying) holds back that plugin only. A plugin that cannot say where it stands
   * gets no events until the daemon is restarted (GAX_ERR_PLUGIN_START).
   */
  resume(id: string, plugin: Plugin): void {
    const { logger, health } = this.#options;
    this.#resuming.add(id);
    const waiting = setTimeout(
      () => health?.failed(id, 'waiting for its backend to say where it stands'),
      1000,
    );
    adoptStoredPositions(this.checkpointer, id, plugin, logger).then(
      () => {
        clearTimeout(waiting);
        health?.delivered(id);
        if (this.#resuming.delete(id)) this.start(id, plugin);
      },
      (err: unknown) => {
        clearTimeout(waiting);
        if (!this.#resuming.delete(id)) return;
        health?.failed(id, err instanceof Error ? err.message : String(err));
        logger.error(
          { err, plugin: id, code: 'GAX_ERR_PLUGIN_START' satisfies ErrorCode },
          'Plugin cannot say where its stored data stands; it gets no events until gax is restarted.',
        );
      },
    );
  }

  /** Starts the reader of plugin `id` from `saved` (by default the positions committed so far). */
  start(id: string, plugin: Plugin, saved: PluginPositions = this.checkpointer.saved(id)): void {
    const { checkpointer } = this;
    const o = this.#options;
    const opening = this.#inputs === undefined;
    if (opening) this.#pool = this.#openPool();
    const pool = this.#pool;
    const deps = {
      deadLetter: this.#deadLetter,
      checkpointer,
      logger: o.logger,
      ...(pool === undefined ? {} : { pool }),
    };
    const inputs =
      this.#inputs ??
      this.#config.inputs.map((_, i) => openInput(this.#config, i, deps, saved, checkpointer.horizon(id)));
    this.#inputs = inputs;
    const route = new Route({
      id,
      plugin,
      maxEventAge: pluginSection(this.#config, id)?.maxEventAge ?? '0s',
      config: this.#config,
      deadLetter: this.#deadLetter,
      checkpointer,
      metrics: o.metrics,
      pipelineTelemetry: o.pipelineTelemetry,
      inputTelemetry: o.inputTelemetry,
      logger: o.logger,
    });
    route.start(inputs, saved, checkpointer.horizon(id), () => this.#filesChanged());
    this.#routes.set(id, route);
    if (opening) for (const input of inputs) input.shared.start();
  }

  /** Stops a reader as shutdown does: no more reading, what is queued delivered by `deadline`, committed. */
  async stop(id: string, deadline: number): Promise<void> {
    this.#resuming.delete(id);
    const route = this.#routes.get(id);
    if (route === undefined) return;
    await route.stop(deadline);
    this.#routes.delete(id);
    if (this.#routes.size === 0) await this.#closeInputs();
    this.#filesChanged();
    this.#pastCounts.set(id, addCounts(this.#pastCounts.get(id), route.pipeline.counts()[id]));
  }

  /** Stops every reader by `deadline` (see {@link stop}). */
  async stopAll(deadline: number): Promise<void> {
    this.#resuming.clear();
    await Promise.all(this.ids().map((id) => this.stop(id, deadline)));
  }

  /** Starts a reader for every plugin in `plugins` without one, each from its checkpoint. */
  startIdle(plugins: ReadonlyMap<string, Plugin>): void {
    const idle = [...plugins].filter(([id]) => !this.#routes.has(id) && !this.#resuming.has(id));
    this.startAll(idle.map(([id, plugin]) => [id, plugin, this.checkpointer.saved(id)] as const));
  }

  async #closeInputs(): Promise<void> {
    const inputs = this.#inputs ?? [];
    this.#inputs = undefined;
    await Promise.all(inputs.map((input) => input.shared.stop()));
    await this.#pool?.close();
    this.#pool = undefined;
  }

  #openPool(): ParsePool | undefined {
    const { logger, metrics } = this.#options;
    const size = resolveWorkers(this.#config.pipeline.workers);
    metrics.parseWorkers.set(size);
    if (size === 0) return undefined;
    logger.info({ workers: size }, 'Parsing input lines in worker threads.');
    return new ParsePool({ size, logger, onFailure: () => metrics.parseWorkerFailures.inc() });
  }

  /** The configuration readers started from now on use (a reload's, once applied). */
  configure(config: Config): void {
    this.#config = config;
  }

  /** Replaces the dead-letter writer; only while no reader runs (a reload that restarts them all). */
  async replaceDeadLetter(section: Config['pipeline']['deadLetter']): Promise<void> {
    await this.#deadLetter.close();
    this.#deadLetter = deadLetterWriter(section, this.#options.logger);
  }

  /** After every reader stopped: the checkpoint, then (after the plugins) the dead-letter file. */
  closeCheckpoint(): Promise<void> {
    return this.checkpointer.close();
  }

  closeDeadLetter(): Promise<void> {
    return this.#deadLetter.close();
  }

  /** Per plugin, over the whole run (readers a reload replaced included). */
  counts(): Counts {
    const counts = new Map([...this.#pastCounts].map(([id, c]) => [id, { ...c }]));
    for (const r of this.#routes.values())
      counts.set(r.id, addCounts(counts.get(r.id), r.pipeline.counts()[r.id]));
    return Object.fromEntries(counts);
  }

  #filesChanged(): void {
    const open = this.all().reduce((n, r) => Math.max(n, r.openFiles), 0);
    this.#options.metrics.filesWatched.set(open);
  }
}

function addCounts(a: LaneCounts | undefined, b: LaneCounts | undefined): LaneCounts {
  return {
    delivered: (a?.delivered ?? 0) + (b?.delivered ?? 0),
    deadLettered: (a?.deadLettered ?? 0) + (b?.deadLettered ?? 0),
    aborted: (a?.aborted ?? 0) + (b?.aborted ?? 0),
  };
}
