import { withPii } from '../pii/plugin.js';
import type { PiiConfig } from '../pii/schema.js';
import { scrub } from '../telemetry/redact.js';
import type { Plugin } from './contract.js';
import type { EventResult } from './result.js';

/**
 * A plugin as the daemon and the replay commands use it: it sees events through its section's
 * `pii` rules, and the reasons it returns are scrubbed of secrets (a backend or proxy may echo a
 * credential in an error body) before they reach the log, `/readyz` or the dead-letter file.
 */
export function guardPlugin(plugin: Plugin, pii: PiiConfig | undefined): Plugin {
  const inner = withPii(plugin, pii);
  return {
    ...(inner.maxInFlight === undefined ? {} : { maxInFlight: inner.maxInFlight }),
    start: (signal) => inner.start(signal),
    send: async (batch, signal, context) => scrubReasons(await inner.send(batch, signal, context)),
    stop: (deadlineMs) => inner.stop(deadlineMs),
    ...(inner.storedPositions === undefined ? {} : { storedPositions: inner.storedPositions.bind(inner) }),
  };
}

/** Results with secrets scrubbed from their reasons; a batch usually shares one reason, scrubbed once. */
function scrubReasons(results: readonly EventResult[]): readonly EventResult[] {
  let seen: string | undefined;
  let clean = '';
  return results.map((result) => {
    if (result.status === 'delivered') return result;
    if (result.reason !== seen) {
      seen = result.reason;
      clean = scrub(result.reason);
    }
    return clean === result.reason ? result : { ...result, reason: clean };
  });
}
