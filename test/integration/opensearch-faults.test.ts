/**
 * Failure scenarios of the OpenSearch plugin against a real OpenSearch 2.19 node (started once for
 * the file), through the fault-injecting loopback proxy: 429 storms, 5xx, slow responses that time
 * out, connections reset before the write reached the node and after it applied it, per-item
 * 429s, the node stopped and restarted mid-run, and `gax run` SIGKILLed mid-bulk and restarted.
 * The scenarios are the elasticsearch plugin's (test/helpers/search-fault-scenarios.ts) on smaller
 * logs; each log starts seconds before midnight UTC, so its events fill two daily indices per event
 * type. Each asserts conservation: every daily index holds exactly its events, every canonical
 * event is there once under its deterministic `_id`, and nothing is dead-lettered.
 */
import { describe, it } from 'vitest';
import type { GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import { startOpenSearch } from '../helpers/opensearch.js';
import * as faults from '../helpers/search-fault-scenarios.js';
import { type FaultScenario, useFaultRig } from '../helpers/search-faults.js';

/** 2026-03-04 23:59:57 UTC: at the generator's 100 events/s, the first 300 lines fall on March 4. */
const NEAR_MIDNIGHT: GeneratorOptions = { startTime: Date.UTC(2026, 2, 4, 23, 59, 57) };

const rig = useFaultRig(() => startOpenSearch({ major: 2 }), {
  plugin: 'opensearch',
  metrics: 'gax_opensearch',
  // The plugin's default indexMode: WSO2's Fluent Bit names, `<prefix>_<type>-YYYY-MM-DD` (UTC).
  indexOf: (prefix, e) => `${prefix}_${e.eventType}-${e.requestTimestamp.slice(0, 10)}`,
});

/** A scenario whose log of `lines` lines spans two days. */
function acrossMidnight(lines: number): Promise<FaultScenario> {
  return rig().newScenario(lines, NEAR_MIDNIGHT);
}

describe('opensearch failure scenarios', () => {
  it('os-429-storm: waits out 429s (honouring Retry-After) and indexes everything once', async () => {
    await faults.storm429(rig(), await acrossMidnight(800));
  });

  it('os-5xx: retries a node that answers 502 and indexes everything once', async () => {
    await faults.status5xx(rig(), await acrossMidnight(800), 502);
  });

  it('os-slow: a bulk answered after the request timeout is resent, and its 409s count as delivered', async () => {
    await faults.slowResponses(rig(), await acrossMidnight(800));
  });

  it('os-reset-mid-bulk: connections reset before and after OpenSearch applied a bulk lose and duplicate nothing', async () => {
    await faults.resetMidBulk(rig(), await acrossMidnight(1200));
  });

  it('os-partial-429: resends only the items that failed with 429, never the ones indexed', async () => {
    await faults.partial429(rig(), await acrossMidnight(800), 40);
  });

  it('os-down-then-up: a stopped node fills the queue and pauses reading, not readiness; after the restart every event is indexed once', async () => {
    await faults.downThenUp(rig(), await acrossMidnight(2400), 400);
  }, 240_000); // a node restart alone can take a minute on a loaded 2-core machine

  it('os-kill-mid-bulk: gax run SIGKILLed during bulk requests is restarted and nothing is lost or duplicated', async () => {
    await faults.killMidBulk(rig(), await acrossMidnight(1500));
  }, 60_000);
});
