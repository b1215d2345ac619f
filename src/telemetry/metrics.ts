import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { REJECT_REASONS } from '../parsers/index.js';

/**
 * The daemon's own metrics (`gax_*`), registered on the registry served at `/metrics`.
 * Labels are bounded unions: `plugin` (configured plugin ids), `reason`, `kind`, `event_type`.
 */
export interface SelfMetrics {
  readonly registry: Registry;
  readonly linesRead: Counter<'plugin'>;
  readonly bytesRead: Counter<'plugin'>;
  readonly eventsParsed: Counter<'plugin' | 'event_type'>;
  readonly linesSkipped: Counter<'plugin' | 'reason'>;
  readonly linesRejected: Counter<'plugin' | 'reason'>;
  readonly eventsDelivered: Counter<'plugin'>;
  readonly eventsRetried: Counter<'plugin'>;
  readonly eventsDeadLettered: Counter<'plugin' | 'kind'>;
  readonly pluginSendErrors: Counter<'plugin'>;
  readonly batchDuration: Histogram<'plugin'>;
  readonly queueDepth: Gauge<'plugin'>;
  readonly pluginUp: Gauge<'plugin'>;
  readonly filesWatched: Gauge;
  readonly checkpointCommits: Counter<'plugin'>;
  readonly rotations: Counter<'plugin'>;
  readonly ownReaders: Gauge<'plugin'>;
  readonly detaches: Counter<'plugin'>;
  readonly parseWorkers: Gauge;
  readonly parseWorkerFailures: Counter;
  readonly truncations: Counter<'plugin'>;
  readonly readErrors: Counter<'plugin' | 'code'>;
  readonly eventsSkipped: Counter<'plugin' | 'reason'>;
  readonly lagBytes: Gauge<'plugin' | 'file'>;
  readonly lagSeconds: Gauge<'plugin' | 'file'>;
  readonly checkpointAge: Gauge;
  readonly checkpointWriteFailures: Gauge;
  readonly checkpointWrites: Counter<'fsync'>;
  readonly configReloads: Counter<'result'>;
  readonly configLastReloadSuccessful: Gauge;
  readonly configLastReloadSuccessTime: Gauge;
}

/** What the lag and checkpoint-age gauges read at scrape time. */
export interface LiveState {
  files(): readonly {
    plugin: string;
    path: string;
    offset: number;
    size: number;
    behindSince: number | undefined;
  }[];
  checkpointAgeSeconds(): number | undefined;
  /** Checkpoint writes that failed in a row (0 when the last one worked). */
  checkpointWriteFailures(): number;
  /** Checkpoint writes done so far: all, and those fsynced. */
  checkpointWrites(): { readonly all: number; readonly durable: number } | undefined;
}

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createSelfMetrics(options: {
  version: string;
  defaultMetrics?: boolean;
  live?: () => LiveState | undefined;
}): SelfMetrics {
  const live = options.live ?? (() => undefined);
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break Prometheus naming rules (promtool lint); the per-type
    // nodejs_active_handles / _requests / _resources gauges carry the same numbers.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  new Gauge({
    name: 'gax_build_info',
    help: 'Build information of gateway-analytics-exporter; always 1.',
    labelNames: ['version', 'node_version'],
    registers,
  }).set({ version: options.version, node_version: process.version }, 1);
  return {
    registry,
    linesRead: new Counter({
      name: 'gax_lines_read_total',
      help: "Lines read from input files by each plugin's reader.",
      labelNames: ['plugin'],
      registers,
    }),
    bytesRead: new Counter({
      name: 'gax_read_bytes_total',
      help: "Bytes read from input files by each plugin's reader.",
      labelNames: ['plugin'],
      registers,
    }),
    eventsParsed: new Counter({
      name: 'gax_events_parsed_total',
      help: 'Metric lines parsed into canonical events, by plugin reader and event type.',
      labelNames: ['plugin', 'event_type'],
      registers,
    }),
    linesSkipped: new Counter({
      name: 'gax_lines_skipped_total',
      help: 'Lines that carry no analytics event (blank, start-up line, other log lines), by reason.',
      labelNames: ['plugin', 'reason'],
      registers,
    }),
    linesRejected: new Counter({
      name: 'gax_lines_rejected_total',
      help: 'Metric lines that could not be parsed (kept in the dead-letter file), by reason.',
      labelNames: ['plugin', 'reason'],
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'gax_events_delivered_total',
      help: 'Events a plugin acknowledged as delivered.',
      labelNames: ['plugin'],
      registers,
    }),
    eventsRetried: new Counter({
      name: 'gax_events_retried_total',
      help: 'Event sends that failed transiently and were scheduled again (one per event per retry).',
      labelNames: ['plugin'],
      registers,
    }),
    eventsDeadLettered: new Counter({
      name: 'gax_events_dead_lettered_total',
      help: 'Events a plugin could not deliver, written to the dead-letter file, by kind (rejected or exhausted).',
      labelNames: ['plugin', 'kind'],
      registers,
    }),
    pluginSendErrors: new Counter({
      name: 'gax_plugin_send_errors_total',
      help: 'Times a plugin threw from send (a bug; the batch is retried).',
      labelNames: ['plugin'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'gax_batch_duration_seconds',
      help: 'Time from a batch entering delivery to every event in it being delivered or dead-lettered.',
      labelNames: ['plugin'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'gax_plugin_queue_batches',
      help: 'Batches queued or in delivery per plugin.',
      labelNames: ['plugin'],
      registers,
    }),
    pluginUp: new Gauge({
      name: 'gax_plugin_up',
      help: '1 when the plugin started and its last delivery did not need a retry, else 0.',
      labelNames: ['plugin'],
      registers,
    }),
    filesWatched: new Gauge({ name: 'gax_files_watched', help: 'Input files currently open.', registers }),
    ownReaders: new Gauge({
      name: 'gax_input_own_readers',
      help: 'Inputs a plugin instance reads with its own reader while it catches up with the shared one (0: all shared).',
      labelNames: ['plugin'],
      registers,
    }),
    detaches: new Counter({
      name: 'gax_input_detaches_total',
      help: 'Times a plugin instance fell behind the shared reader of an input and went on with its own.',
      labelNames: ['plugin'],
      registers,
    }),
    parseWorkers: new Gauge({
      name: 'gax_parse_workers',
      help: 'Worker threads parsing input lines (pipeline.workers; 0: the main thread parses).',
      registers,
    }),
    parseWorkerFailures: new Counter({
      name: 'gax_parse_worker_failures_total',
      help: 'Parse workers that failed or exited; each was replaced and its chunks parsed on the main thread.',
      registers,
    }),
    rotations: new Counter({
      name: 'gax_input_rotations_total',
      help: "Input files seen renamed away or deleted (rotation) by each plugin's reader.",
      labelNames: ['plugin'],
      registers,
    }),
    truncations: new Counter({
      name: 'gax_input_truncations_total',
      help: "Input files seen truncated or rewritten from the start (copytruncate) by each plugin's reader.",
      labelNames: ['plugin'],
      registers,
    }),
    readErrors: new Counter({
      name: 'gax_input_read_errors_total',
      help: "Input file reads or opens the filesystem failed (ESTALE, EIO, …) for each plugin's reader, by errno code; the file keeps its position and is tried again.",
      labelNames: ['plugin', 'code'],
      registers,
    }),
    eventsSkipped: new Counter({
      name: 'gax_events_skipped_total',
      help: 'Events deliberately not sent to a plugin, by reason (too_old: older than its maxEventAge).',
      labelNames: ['plugin', 'reason'],
      registers,
    }),
    lagBytes: new Gauge({
      name: 'gax_input_lag_bytes',
      help: "Bytes of an open input file not yet read by a plugin's reader.",
      labelNames: ['plugin', 'file'],
      registers,
      collect() {
        this.reset();
        for (const f of live()?.files() ?? []) {
          this.set({ plugin: f.plugin, file: f.path }, Math.max(0, f.size - f.offset));
        }
      },
    }),
    lagSeconds: new Gauge({
      name: 'gax_input_lag_seconds',
      help: "Seconds a plugin's reader has been behind the end of an input file (0 when caught up).",
      labelNames: ['plugin', 'file'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const f of live()?.files() ?? []) {
          const behind = f.behindSince === undefined || f.offset >= f.size ? 0 : (now - f.behindSince) / 1000;
          this.set({ plugin: f.plugin, file: f.path }, behind);
        }
      },
    }),
    checkpointAge: new Gauge({
      name: 'gax_checkpoint_age_seconds',
      help: 'Seconds since the checkpoint file was last written (absent before the first write).',
      registers,
      collect() {
        this.reset();
        const age = live()?.checkpointAgeSeconds();
        if (age !== undefined) this.set(age);
      },
    }),
    checkpointWriteFailures: new Gauge({
      name: 'gax_checkpoint_write_failures',
      help: 'Checkpoint writes that failed in a row (full or read-only state directory); 0 once one works. Reading is paused while it is above 0.',
      registers,
      collect() {
        this.set(live()?.checkpointWriteFailures() ?? 0);
      },
    }),
    checkpointWrites: new Counter({
      name: 'gax_checkpoint_writes_total',
      help: 'Checkpoint file writes (each an atomic replace), by whether the file and its directory were fsynced (at most one a second and at stop).',
      labelNames: ['fsync'],
      registers,
      collect() {
        const writes = live()?.checkpointWrites();
        if (writes === undefined) return;
        this.reset();
        this.inc({ fsync: 'true' }, writes.durable);
        this.inc({ fsync: 'false' }, writes.all - writes.durable);
      },
    }),
    checkpointCommits: new Counter({
      name: 'gax_checkpoint_commits_total',
      help: "Times a plugin's committed read positions moved forward.",
      labelNames: ['plugin'],
      registers,
    }),
    configReloads: new Counter({
      name: 'gax_config_reloads_total',
      help: 'Configuration reloads (SIGHUP), by result: applied, rejected (invalid or needs a restart), failed (partly rolled back).',
      labelNames: ['result'],
      registers,
    }),
    configLastReloadSuccessful: new Gauge({
      name: 'gax_config_last_reload_successful',
      help: 'Whether the last configuration load (start-up or reload) was applied: 1, else 0.',
      registers,
    }),
    configLastReloadSuccessTime: new Gauge({
      name: 'gax_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last configuration load (start-up or reload) that was applied, in Unix seconds.',
      registers,
    }),
  };
}

/** Exposes a plugin's counters at 0 from the start, so `increase()` sees their first step. */
export function initialiseCounters(metrics: SelfMetrics, plugin: string): void {
  metrics.eventsDelivered.inc({ plugin }, 0);
  metrics.eventsRetried.inc({ plugin }, 0);
  metrics.linesRead.inc({ plugin }, 0);
  for (const kind of ['rejected', 'exhausted']) metrics.eventsDeadLettered.inc({ plugin, kind }, 0);
  for (const reason of REJECT_REASONS) metrics.linesRejected.inc({ plugin, reason }, 0);
  metrics.eventsSkipped.inc({ plugin, reason: 'too_old' }, 0);
}
