import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Registry } from 'prom-client';
import { parseDurationMs } from '../config/duration.js';
import type { Config } from '../config/schema.js';
import { pluginSection } from '../config/sections.js';
import { type ErrorCode, GaxError } from '../errors.js';
import { logKeepFailures } from '../pipeline/keep.js';
import type { RetryPolicy } from '../pipeline/retry.js';
import type { PipelineTelemetry } from '../pipeline/telemetry.js';
import type { Plugin } from '../plugin/contract.js';
import { createPlugin } from '../plugin/registry.js';
import { secretSafeOptions } from '../telemetry/logger.js';
import { LogRateLimiter } from '../telemetry/rate-limit.js';

/**
 * What `gax replay` and `gax dlq replay` share: a logger that keeps out of the progress line,
 * plugins built and started exactly as the daemon builds them, counting telemetry, signals.
 */

/**
 * Logs to `stream` (stderr): warnings and errors, or the config's level when it asks for more
 * detail. `beforeWrite` runs before each line (to clear a progress bar on the same terminal).
 */
export function commandLogger(
  config: Config,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  beforeWrite: () => void = () => undefined,
): Logger {
  const level = config.log.level === 'info' ? 'warn' : config.log.level;
  // A real Writable: pino-pretty pipes into its destination (it calls `.on`, `.once`, …), so a
  // bare `{ write }` object works for pino's JSON path but crashes the pretty path, the one a
  // terminal gets.
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done): void {
      beforeWrite();
      stream.write(chunk);
      done();
    },
  });
  const tty = stream.isTTY === true;
  if (config.log.format === 'pretty' || (config.log.format === 'auto' && tty)) {
    return pino(
      { level, base: null, ...secretSafeOptions },
      pretty({ destination, colorize: tty, sync: true, ignore: 'pid,hostname' }),
    );
  }
  return pino({ level, base: { pid: process.pid }, ...secretSafeOptions }, destination);
}

/** `pipeline.retry`, with `maxElapsedMs` from `--max-retry` when given. */
export function retryPolicy(config: Config, maxRetry: string | undefined): RetryPolicy {
  const policy = config.pipeline.retry;
  return maxRetry === undefined ? policy : { ...policy, maxElapsedMs: parseDurationMs(maxRetry) };
}

export interface StartedPlugins {
  readonly plugins: ReadonlyMap<string, Plugin>;
  /** The plugins' own metrics (e.g. the Elasticsearch plugin's duplicates). */
  readonly registry: Registry;
  stop(deadlineMs: number): Promise<void>;
}

/**
 * Creates the plugins `ids` from their config sections and starts them. `plugins` replaces the
 * created instances (tests, embedding), as for the daemon. A plugin that fails to start stops
 * the others and throws GAX_ERR_PLUGIN_START.
 */
export async function startPlugins(
  config: Config,
  ids: readonly string[],
  logger: Logger,
  signal: AbortSignal,
  given: Readonly<Record<string, Plugin>> = {},
): Promise<StartedPlugins> {
  const registry = new Registry();
  const plugins = new Map<string, Plugin>();
  for (const id of ids) {
    const settings = { id, logger: logger.child({ plugin: id }), registry, stateDir: config.state.dir };
    plugins.set(id, given[id] ?? (await createPlugin(id, pluginSection(config, id), settings)));
  }
  const stop = async (deadlineMs: number): Promise<void> => {
    await Promise.all(
      [...plugins].map(([id, plugin]) =>
        plugin.stop(deadlineMs).catch((err: unknown) => {
          logger.error(
            { err, plugin: id, code: 'GAX_ERR_PLUGIN_STOP' satisfies ErrorCode },
            'Plugin failed to stop.',
          );
        }),
      ),
    );
  };
  try {
    for (const [id, plugin] of plugins) {
      await plugin.start(signal).catch((err: unknown) => {
        throw new GaxError('GAX_ERR_PLUGIN_START', `plugin "${id}" failed to start: ${String(err)}`, {
          cause: err,
        });
      });
    }
  } catch (err) {
    await stop(Date.now() + config.pipeline.shutdownTimeoutMs);
    throw err;
  }
  return { plugins, registry, stop };
}

/**
 * Resends a plugin recognised as already stored: the sum of its counters' `outcome="duplicate"`
 * series (the Elasticsearch plugin's 409s). Read before the plugin stops (it removes its metrics).
 */
export async function duplicatesReported(registry: Registry, plugin: string): Promise<number | undefined> {
  let found: number | undefined;
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      if (v.labels.plugin === plugin && v.labels.outcome === 'duplicate') found = (found ?? 0) + v.value;
    }
  }
  return found;
}

/** Counts what the lanes report; logs retries and send errors rate-limited. */
export interface CommandTelemetry extends PipelineTelemetry {
  /** The last retry reason per plugin while it is failing (cleared by a delivery). */
  readonly failing: Map<string, string>;
}

export function commandTelemetry(logger: Logger): CommandTelemetry {
  const limiter = new LogRateLimiter();
  const failing = new Map<string, string>();
  return {
    failing,
    delivered(plugin, count) {
      if (count > 0) failing.delete(plugin);
    },
    retried(plugin, count, reason, delayMs) {
      failing.set(plugin, reason);
      const suppressed = limiter.allow(`retry:${plugin}`);
      if (suppressed !== undefined)
        logger.warn({ plugin, count, reason, delayMs, suppressed }, 'Delivery failed; retrying.');
    },
    deadLettered(plugin, kind, count, reason) {
      const suppressed = limiter.allow(`dead:${plugin}:${kind}`);
      if (suppressed !== undefined)
        logger.error({ plugin, kind, count, reason, suppressed }, 'Events written to the dead-letter file.');
    },
    sendError(plugin, err) {
      const suppressed = limiter.allow(`send:${plugin}`);
      if (suppressed !== undefined)
        logger.error(
          { plugin, err, suppressed, code: 'GAX_ERR_PLUGIN_SEND' satisfies ErrorCode },
          'Plugin threw while sending.',
        );
    },
    deadLetterBlocked(plugin, err) {
      logKeepFailures(logger.child({ plugin }), 'delivery of this plugin')(err);
    },
    batchDone: () => undefined,
    queueDepth: () => undefined,
  };
}

/**
 * Calls `onStop` on SIGINT/SIGTERM (`second` true from the second signal on) until disposed.
 */
export function onStopSignals(onStop: (second: boolean) => void): () => void {
  let count = 0;
  const handler = (): void => {
    count++;
    onStop(count > 1);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** A deadline for "no deadline" that setTimeout can still take (24 days). */
export function farDeadline(): number {
  return Date.now() + 2_000_000_000;
}
