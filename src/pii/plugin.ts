import type { Plugin } from '../plugin/contract.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { PiiConfig } from './schema.js';
import { piiTransform } from './transform.js';

/**
 * `plugin` seeing only what `plugins.<id>.pii` lets through: each event of a batch is replaced by
 * its rewritten copy (the plugin itself is unchanged; without rules it is returned as is).
 *
 * Applied at the plugin rather than the reader because events are shared (`gax replay` hands one
 * event to several plugins) and resent (a retried batch is the same objects): the original stays
 * untouched, so every path to a backend rewrites exactly once, never a hash of a hash. A retry
 * gets the same copy, so a plugin that remembers events across retries (Datadog, by identity)
 * still recognises them. Dead-letter records keep the event as read, like the source log.
 */
export function withPii(plugin: Plugin, config: PiiConfig | undefined): Plugin {
  const transform = piiTransform(config);
  if (transform === undefined) return plugin;
  const copies = new WeakMap<CanonicalEvent, CanonicalEvent>();
  const copy = (event: CanonicalEvent): CanonicalEvent => {
    let rewritten = copies.get(event);
    if (rewritten === undefined) {
      rewritten = transform(event);
      copies.set(event, rewritten);
    }
    return rewritten;
  };
  return {
    ...(plugin.maxInFlight === undefined ? {} : { maxInFlight: plugin.maxInFlight }),
    start: (signal) => plugin.start(signal),
    send: (batch, signal, context) => plugin.send(batch.map(copy), signal, context),
    stop: (deadlineMs) => plugin.stop(deadlineMs),
    ...(plugin.storedPositions === undefined ? {} : { storedPositions: plugin.storedPositions.bind(plugin) }),
  };
}
