import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { Daemon } from '../daemon.js';
import { isGaxError } from '../errors.js';
import { createLogger } from '../telemetry/logger.js';
import { packageVersion } from '../version.js';

export interface RunHandle {
  readonly daemon: Daemon;
  /** Resolves with the exit code once the daemon has stopped after a signal. */
  readonly done: Promise<number>;
}

/**
 * Runs the daemon until SIGTERM or SIGINT. The first signal stops gracefully (flush within
 * `pipeline.shutdownTimeoutMs`, final checkpoint, exit 0); a second one exits at once with 130:
 * the checkpoint still guarantees that nothing unacknowledged is lost.
 */
export async function runDaemon(config: Config, logger?: Logger): Promise<RunHandle> {
  const log = logger ?? createLogger(config.log);
  const daemon = new Daemon({ config, logger: log, version: packageVersion() });
  try {
    await daemon.start();
  } catch (err) {
    log.fatal({ err, code: isGaxError(err) ? err.code : undefined }, 'Daemon failed to start.');
    throw err;
  }
  const done = new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'Second signal: exiting now without waiting for delivery.');
        resolve(130);
        return;
      }
      log.info({ signal }, 'Stopping.');
      daemon.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err, code: 'GAX_ERR_SHUTDOWN_DEADLINE' }, 'Stop failed.');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return { daemon, done };
}
