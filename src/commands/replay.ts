import type { ConfigEnv } from '../config/load.js';
import { eventOrigin } from '../parsers/origin.js';
import { deadLetterWriter } from '../pipeline/dead-letter.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { Plugin } from '../plugin/contract.js';
import { loadCommandConfig } from './command-config.js';
import { startProgress } from './progress.js';
import { checkWindows, choosePlugins, fileSizes } from './replay-checks.js';
import { type ReadCounts, readLogFile, replayFormat } from './replay-files.js';
import { type PluginOutcome, renderReplaySummary } from './replay-report.js';
import {
  commandLogger,
  commandTelemetry,
  duplicatesReported,
  farDeadline,
  onStopSignals,
  retryPolicy,
  startPlugins,
} from './replay-runtime.js';

export interface ReplayIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface ReplayOptions {
  readonly config: string;
  readonly files: readonly string[];
  /** Plugins to send to; default: the enabled ones that can take history. */
  readonly plugins?: readonly string[];
  /** Seconds between plain progress lines when stdout is not a terminal (default 10). */
  readonly progressEvery?: number;
  /** Give up retrying after this long (`30s`); default `pipeline.retry.maxElapsedMs`. */
  readonly maxRetry?: string;
  /** Input format of the files; default: the configured inputs' (they must agree). */
  readonly format?: string;
  /** `host.name` of every event; absent by default (the files may come from any node). */
  readonly hostName?: string;
  /** Plugin instances instead of the registry's (tests, embedding). */
  readonly instances?: Readonly<Record<string, Plugin>>;
}

/** Rejected lines printed one by one on stderr before only counting them. */
const PRINTED_REJECTS = 20;

/**
 * `gax replay`: sends whole historic log files once through chosen plugins (backfill), with the
 * daemon's batching, retry and dead-letter handling, and no checkpoint (the daemon's state is not
 * touched). Refuses plugins whose backend cannot take the files' age (src/plugin/history.ts).
 * Exit 0 when every event was delivered and every line parsed, 1 when some were dead-lettered or
 * rejected, 130 when interrupted; usage errors, config problems and refusals are thrown as
 * `GaxError`s (exit 2).
 */
export async function runReplay(options: ReplayOptions, io: ReplayIo, env?: ConfigEnv): Promise<0 | 1 | 130> {
  const config = await loadCommandConfig(options.config, env);
  const files = [...new Set(options.files)];
  const sizes = await fileSizes(files);
  const chosen = choosePlugins(config, options.plugins, io);
  const { format, maxLineBytes } = replayFormat(config, options.format);
  const { parser } = format;
  const origin = eventOrigin(format.name, options.hostName);
  await checkWindows(chosen, files, parser, maxLineBytes, io);

  const started = Date.now();
  let progress: ReturnType<typeof startProgress> | undefined;
  const logger = commandLogger(config, io.stderr, () => progress?.clear());
  const stopping = new AbortController();
  const plugins = await startPlugins(config, chosen, logger, stopping.signal, options.instances);
  const deadLetter = deadLetterWriter(config.pipeline.deadLetter, logger);
  const telemetry = commandTelemetry(logger);
  let bytesDone = 0;
  const pipeline = new Pipeline({
    plugins: chosen.map((id) => ({ id, plugin: plugins.plugins.get(id) as Plugin })),
    batchMaxEvents: config.pipeline.batchMaxEvents,
    batchMaxWaitMs: config.pipeline.batchMaxWaitMs,
    queueMaxBatches: config.pipeline.queueMaxBatches,
    retry: retryPolicy(config, options.maxRetry),
    deadLetter,
    telemetry,
    onCommit: (positions) => {
      bytesDone = [...positions.values()].reduce((a, b) => a + b, 0);
    },
  });
  const counts: ReadCounts = { lines: 0, events: 0, skipped: 0, rejected: 0, rejectedByReason: new Map() };
  const acknowledged = (): number =>
    Math.min(...Object.values(pipeline.counts()).map((c) => c.delivered + c.deadLettered));
  progress = startProgress({
    stream: io.stdout,
    tty: io.stdout.isTTY === true,
    columns: (io.stdout.columns ?? 0) > 0 ? (io.stdout.columns as number) : 80,
    intervalMs: (options.progressEvery ?? 10) * 1000,
    snapshot: () => ({
      bytesDone,
      bytesTotal: sizes.total,
      events: acknowledged(),
      elapsedMs: Date.now() - started,
      ...(telemetry.failing.size === 0
        ? {}
        : {
            note: [...telemetry.failing]
              .map(([p, r]) => `retrying ${p}: ${r}`)
              .join('; ')
              .slice(0, 120),
          }),
    }),
  });
  const grace = config.pipeline.shutdownTimeoutMs;
  const dispose = onStopSignals((second) => {
    stopping.abort();
    void pipeline.close(second ? Date.now() : Date.now() + grace);
  });
  try {
    pipeline.start();
    for (const file of files) {
      let printed = 0;
      await readLogFile(file, {
        parser,
        origin,
        maxLineBytes,
        counts,
        stopped: () => stopping.signal.aborted,
        accept: async (events, endOffset) => {
          if (!stopping.signal.aborted) await pipeline.accept(events, file, endOffset);
        },
        onReject: (line, reason, detail) => {
          if (printed++ >= PRINTED_REJECTS) return;
          progress?.clear();
          io.stderr.write(`${JSON.stringify({ file, line, reason, detail })}\n`);
        },
      }).catch((err: unknown) => {
        if (!stopping.signal.aborted) throw err; // after a signal: 'pipeline is closed'
      });
      if (stopping.signal.aborted) break;
    }
    await pipeline.close(stopping.signal.aborted ? Date.now() + grace : farDeadline());
  } finally {
    dispose();
    progress.stop();
  }
  const outcomes: PluginOutcome[] = [];
  const laneCounts = pipeline.counts();
  for (const id of chosen) {
    const c = laneCounts[id] ?? { delivered: 0, deadLettered: 0, aborted: 0 };
    const duplicates = await duplicatesReported(plugins.registry, id);
    outcomes.push({ id, ...c, ...(duplicates === undefined ? {} : { duplicates }) });
  }
  await plugins.stop(Date.now() + grace);
  await deadLetter.close();
  io.stdout.write(
    renderReplaySummary({
      files: files.length,
      bytes: sizes.total,
      seconds: (Date.now() - started) / 1000,
      counts,
      outcomes,
      deadLetterPath: deadLetter.path,
      interrupted: stopping.signal.aborted,
    }),
  );
  if (stopping.signal.aborted) return 130;
  const failed = counts.rejected > 0 || outcomes.some((o) => o.deadLettered > 0 || o.aborted > 0);
  return failed ? 1 : 0;
}
