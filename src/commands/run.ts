import type { Logger } from 'pino';
import type { ConfigProblem, ConfigResult } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { Daemon } from '../daemon.js';
import { type ErrorCode, isGaxError } from '../errors.js';
import type { HeldLock } from '../fs/lock.js';
import { describeProblem } from '../reload/telemetry.js';
import { type ConfigWatch, ReloadQueue, watchConfigFile } from '../reload/trigger.js';
import { createLogger } from '../telemetry/logger.js';
import { packageVersion } from '../version.js';
import type { EarlyStop } from './early-stop.js';
import { lockStateDir } from './state-lock.js';

export interface RunHandle {
  readonly daemon: Daemon;
  /** Resolves with the exit code once the daemon has stopped after a signal. */
  readonly done: Promise<number>;
}

export interface RunOptions {
  /**
   * Reads the configuration again; given, SIGHUP reloads it (see `Daemon.reload`). Without it
   * SIGHUP keeps its default action (the demo, in a terminal that closes, ends).
   */
  readonly reload?: () => Promise<ConfigResult>;
  /** Also reload when this file changes (`--watch-config`). */
  readonly watchPath?: string;
  /** Stop signals that arrived while starting (src/commands/early-stop.ts): served once the daemon runs. */
  readonly earlyStop?: EarlyStop;
  /** How long to wait for another `gax run` to release the state directory (default: its stale time + 2 s). */
  readonly lockWaitMs?: number;
  /** The loaded configuration's warnings (contradictions, secrets in the file): logged before starting. */
  readonly warnings?: readonly ConfigProblem[];
}

/**
 * Runs the daemon until SIGTERM or SIGINT. The first signal stops gracefully (flush within
 * `pipeline.shutdownTimeoutMs`, final checkpoint, exit 0); a second one exits at once with 130:
 * the checkpoint still guarantees that nothing unacknowledged is lost. SIGHUP reloads the
 * configuration (with `options.reload`); reloads run one at a time, a SIGHUP during one asks
 * for one more, and one after SIGTERM is ignored.
 */
export async function runDaemon(
  config: Config,
  logger?: Logger,
  options: RunOptions = {},
): Promise<RunHandle> {
  const log = logger ?? createLogger(config.log);
  for (const warning of options.warnings ?? []) {
    log.warn({ warning: describeProblem(warning), code: warning.code }, 'Configuration warning.');
  }
  // A SIGHUP while starting (systemd `reload`, a ConfigMap push) must not kill the process with
  // SIGHUP's default action: it is remembered and served once the daemon runs.
  let hupWhileStarting = false;
  const onEarlyHup = (): void => {
    hupWhileStarting = true;
  };
  if (options.reload !== undefined) process.on('SIGHUP', onEarlyHup);
  let lock: HeldLock;
  try {
    lock = await lockStateDir(config.state.dir, log, options.lockWaitMs, options.earlyStop?.signal);
  } catch (err) {
    process.off('SIGHUP', onEarlyHup);
    log.fatal({ err, code: isGaxError(err) ? err.code : undefined }, 'Daemon failed to start.');
    throw err;
  }
  const daemon = new Daemon({ config, logger: log, version: packageVersion() });
  try {
    await daemon.start();
  } catch (err) {
    process.off('SIGHUP', onEarlyHup);
    await lock.release();
    log.fatal({ err, code: isGaxError(err) ? err.code : undefined }, 'Daemon failed to start.');
    throw err;
  }
  let signals = 0;
  const watch = reloadOnRequest(daemon, log, options, () => signals > 0, hupWhileStarting);
  process.off('SIGHUP', onEarlyHup);
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals | 'lost lock'): void => {
      signals++;
      watch?.close();
      if (signals > 1) {
        log.warn({ signal }, 'Second signal: exiting now without waiting for delivery.');
        resolve(130);
        return;
      }
      log.info({ signal }, 'Stopping.');
      daemon.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err, code: 'GAX_ERR_SHUTDOWN_DEADLINE' satisfies ErrorCode }, 'Stop failed.');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    options.earlyStop?.dispose();
    const early = options.earlyStop?.received();
    if (early !== undefined) onSignal(early);
    // Another process took the state directory (this one looked dead: frozen past the lock's
    // stale time). Two writers of one checkpoint cannot both be right: stop, and exit 1.
    lock.signal.addEventListener('abort', () => {
      log.error(
        { lock: lock.path, code: 'GAX_ERR_STATE_LOCKED' satisfies ErrorCode },
        'Lost the state directory lock to another gax run; stopping.',
      );
      onSignal('lost lock');
    });
  });
  const done = stopped.then(async (code) => {
    await lock.release().catch(() => undefined);
    return lock.signal.aborted && code === 0 ? 1 : code;
  });
  return { daemon, done };
}

/** SIGHUP (and, with `watchPath`, a change of that file) → re-read → `daemon.reload`, in turn. */
function reloadOnRequest(
  daemon: Daemon,
  log: Logger,
  options: RunOptions,
  stopping: () => boolean,
  pending: boolean,
): ConfigWatch | undefined {
  const { reload } = options;
  if (reload === undefined) return undefined;
  const queue = new ReloadQueue(async () => {
    if (stopping()) return;
    await daemon.reload(await reload()).catch((err: unknown) => {
      log.error({ err, code: 'GAX_ERR_RELOAD_FAILED' satisfies ErrorCode }, 'Configuration reload failed.');
    });
  });
  const request = (trigger: string): void => {
    if (stopping()) {
      log.info({ trigger }, 'Configuration reload ignored: the daemon is stopping.');
      return;
    }
    log.info({ trigger }, 'Reloading the configuration.');
    void queue.request();
  };
  process.on('SIGHUP', () => request('SIGHUP'));
  if (pending) request('SIGHUP while starting');
  if (options.watchPath === undefined) return undefined;
  return watchConfigFile(options.watchPath, () => request('file changed'));
}
