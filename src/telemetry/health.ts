/**
 * Since when each plugin has been failing: the first retry after its last successful delivery.
 * `/readyz` turns not-ready once that lasts longer than `server.readiness.maxPluginFailing`.
 */
export class PluginHealth {
  readonly #failing = new Map<string, { since: number; reason: string }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A delivery attempt failed and will be retried. */
  failed(plugin: string, reason: string): void {
    const current = this.#failing.get(plugin);
    if (current === undefined) this.#failing.set(plugin, { since: this.#now(), reason });
    else current.reason = reason;
  }

  /** Events were delivered: the plugin works again. */
  delivered(plugin: string): void {
    this.#failing.delete(plugin);
  }

  /** How long the plugin has been failing (ms) and the last reason, or undefined when it is not. */
  failing(plugin: string): { ms: number; reason: string } | undefined {
    const current = this.#failing.get(plugin);
    return current === undefined ? undefined : { ms: this.#now() - current.since, reason: current.reason };
  }
}
