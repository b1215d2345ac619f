import type { ConfigEnv } from '../config/load.js';
import { pluginSection } from '../config/sections.js';
import { closeDeadLetterFiles, openDeadLetterFiles, readDeadLetters } from '../dead-letter/files.js';
import { acquireReplayLock, ReplayLedger } from '../dead-letter/ledger.js';
import {
  emptyCounts,
  type ReplayCriteria,
  type ReplayStep,
  reparseFor,
  selectForReplay,
} from '../dead-letter/select.js';
import { GaxError, renderGaxError } from '../errors.js';
import type { Batch } from '../pipeline/batch.js';
import { deadLetterWriter } from '../pipeline/dead-letter.js';
import { Lane } from '../pipeline/lane.js';
import type { Plugin } from '../plugin/contract.js';
import { historyPolicy, instanceType } from '../plugin/registry.js';
import type { CanonicalEvent } from '../schema/event.js';
import { loadCommandConfig, parseSince } from './command-config.js';
import type { DlqIo } from './dlq-inspect.js';
import { renderDlqReplay } from './dlq-replay-report.js';
import {
  commandLogger,
  commandTelemetry,
  duplicatesReported,
  farDeadline,
  onStopSignals,
  retryPolicy,
  startPlugins,
} from './replay-runtime.js';

export interface DlqReplayOptions {
  readonly config: string;
  readonly plugin: string;
  readonly reason?: string;
  /** ISO-8601 time or a duration back from now (`2h`): records written since then only. */
  readonly since?: string;
  readonly reparse?: boolean;
  readonly dryRun?: boolean;
  /** Give up retrying after this long (`30s`); default `pipeline.retry.maxElapsedMs`. */
  readonly maxRetry?: string;
  /** Plugin instances instead of the registry's (tests, embedding). */
  readonly plugins?: Readonly<Record<string, Plugin>>;
  /** The replay lock's stale time (src/fs/lock.ts; default 10 s; tests). */
  readonly lockStaleMs?: number;
}

/**
 * `gax dlq replay`: re-sends the pending dead letters of one plugin through that plugin, built
 * from the config as the daemon builds it, with the pipeline's batching, retry and dead-letter
 * handling (src/pipeline/lane.ts). Each finished batch — every event delivered or written to the
 * dead-letter file again — is then marked in the replay ledger (src/dead-letter/ledger.ts), so the
 * next replay skips it; nothing is rewritten in place. Exit 0 when everything selected was
 * delivered, 1 when some was dead-lettered again or left, 130 when interrupted; usage errors and
 * refusals are thrown as `GaxError`s (exit 2).
 */
export async function runDlqReplay(
  options: DlqReplayOptions,
  io: DlqIo,
  env?: ConfigEnv,
): Promise<0 | 1 | 130> {
  const config = await loadCommandConfig(options.config, env);
  const id = options.plugin;
  if (instanceType(id) === undefined || pluginSection(config, id) === undefined) {
    const known = Object.keys(config.plugins).join(', ');
    throw refusal('GAX_ERR_CLI_USAGE', `unknown plugin "${id}" (one of: ${known})`);
  }
  const policy = historyPolicy(id);
  if (policy.accepts === 'none')
    throw refusal('GAX_ERR_REPLAY_REFUSED', `plugin "${id}" cannot take replayed events: ${policy.reason}`);
  const since = options.since === undefined ? undefined : parseSince(options.since);
  if (options.since !== undefined && since === undefined)
    throw refusal(
      'GAX_ERR_CLI_USAGE',
      `--since must be a time (2025-03-04T09:00:00Z) or a duration (2h): ${options.since}`,
    );
  const input = config.inputs[0];
  const criteria: ReplayCriteria = {
    plugin: id,
    policy,
    now: Date.now(),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(since === undefined ? {} : { since }),
    ...(options.reparse === true && input !== undefined ? { reparse: reparseFor(input) } : {}),
  };
  const path = config.pipeline.deadLetter.path;
  const lock =
    options.dryRun === true
      ? undefined
      : await acquireReplayLock(
          path,
          options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs },
        );
  const ledger = await ReplayLedger.load(path);
  const files = await openDeadLetterFiles(path);
  const counts = emptyCounts();
  /** Ids in the ledger or marked now and still in a file: what compaction keeps. */
  const present = new Set<string>();
  const entries = (async function* () {
    for await (const entry of readDeadLetters(files)) {
      if (entry.kind === 'record' && ledger.any(entry.id)) present.add(entry.id);
      yield entry;
    }
  })();
  const steps = selectForReplay(entries, criteria, (rid) => ledger.has(id, rid), counts);
  try {
    if (options.dryRun === true) {
      for await (const _ of steps) {
        // counting only
      }
      io.stdout.write(renderDlqReplay({ plugin: id, path, counts, dryRun: true }));
      return 0;
    }
    const logger = commandLogger(config, io.stderr);
    const stopping = new AbortController();
    const started = await startPlugins(config, [id], logger, stopping.signal, options.plugins);
    const plugin = started.plugins.get(id) as Plugin;
    const deadLetter = deadLetterWriter(config.pipeline.deadLetter, logger);
    const telemetry = commandTelemetry(logger);
    const batchIds = new Map<number, string[]>();
    const marks: Promise<void>[] = [];
    let wake: (() => void) | undefined;
    const lane = new Lane({
      id,
      plugin,
      ...(plugin.maxInFlight === undefined ? {} : { maxInFlight: plugin.maxInFlight }),
      policy: retryPolicy(config, options.maxRetry),
      deadLetter,
      telemetry,
      onDone: (_lane, seq) => {
        const ids = batchIds.get(seq) ?? [];
        batchIds.delete(seq);
        for (const rid of ids) present.add(rid);
        marks.push(ledger.mark(id, ids));
      },
      onDrained: () => wake?.(),
    });
    const grace = config.pipeline.shutdownTimeoutMs;
    const dispose = onStopSignals((second) => {
      stopping.abort();
      wake?.();
      void lane.close(second ? Date.now() : Date.now() + grace);
    });
    // Lost the lock (src/fs/lock.ts: blocked past its stale time, and another replay took it):
    // stop as if interrupted, and leave the ledger to the replay that holds the lock now.
    const onLockLost = (): void => {
      io.stderr.write(
        renderGaxError(
          new GaxError('GAX_ERR_DEADLETTER_LOCKED', `lost the replay lock ${lock?.path}; stopping`, {
            command: 'dlq replay',
          }),
        ),
      );
      stopping.abort();
      wake?.();
      void lane.close(Date.now() + grace);
    };
    lock?.signal.addEventListener('abort', onLockLost, { once: true });
    let finishedReading = false;
    try {
      lane.start();
      let seq = 0;
      let events: CanonicalEvent[] = [];
      let ids: string[] = [];
      const finish: string[] = [];
      const seal = async (): Promise<void> => {
        while (lane.depth >= config.pipeline.queueMaxBatches && !stopping.signal.aborted) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        if (stopping.signal.aborted || events.length === 0) return;
        batchIds.set(seq, ids);
        const batch: Batch = { seq: seq++, events, positions: new Map(), sealedAt: Date.now() };
        events = [];
        ids = [];
        lane.enqueue(batch);
      };
      for await (const step of steps as AsyncIterable<ReplayStep>) {
        if (stopping.signal.aborted) break;
        if (step.kind === 'finish') {
          finish.push(step.id);
          continue;
        }
        events.push(step.event);
        ids.push(step.id);
        if (events.length >= config.pipeline.batchMaxEvents) await seal();
      }
      if (!stopping.signal.aborted) {
        await seal();
        finishedReading = true;
      }
      marks.push(ledger.mark(id, finish));
      for (const rid of finish) present.add(rid);
      await lane.close(stopping.signal.aborted ? Date.now() + grace : farDeadline());
    } finally {
      dispose();
      lock?.signal.removeEventListener('abort', onLockLost);
    }
    await Promise.all(marks);
    const duplicates = await duplicatesReported(started.registry, id);
    await started.stop(Date.now() + grace);
    await deadLetter.close();
    if (finishedReading && lock?.signal.aborted !== true) await ledger.compact(present);
    const { delivered, deadLettered, aborted } = lane.counts;
    io.stdout.write(
      renderDlqReplay({
        plugin: id,
        path,
        counts,
        dryRun: false,
        result: { delivered, deadLettered, aborted, ...(duplicates === undefined ? {} : { duplicates }) },
      }),
    );
    if (stopping.signal.aborted) return 130;
    return deadLettered > 0 || aborted > 0 || counts.stillRejected > 0 ? 1 : 0;
  } finally {
    await ledger.close();
    await closeDeadLetterFiles(files);
    await lock?.release();
  }
}

/** A refusal of `gax dlq replay`: exit 2, whatever the code. */
function refusal(code: GaxError['code'], message: string): GaxError {
  return new GaxError(code, message, { command: 'dlq replay', exitCode: 2 });
}
