/**
 * SIGTERM and SIGINT that arrive while `gax run` is still starting (loading modules, waiting for
 * the state directory lock, starting plugins): without a handler, Node's default action ends the
 * process at once with no word; with this one the request is remembered, a lock wait is cut
 * short, and the daemon stops gracefully as soon as it runs.
 */
export interface EarlyStop {
  /** Aborted by the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers (the daemon's own take over). */
  dispose(): void;
}

export function watchEarlyStop(): EarlyStop {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    first ??= signal;
    controller.abort(new Error(`${signal} while starting`));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
