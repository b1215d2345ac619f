/**
 * Deterministic generator of WSO2 API Manager 4.x `apim_metrics.log` lines, for the demo mode, tests
 * and benchmarks. Pure: no I/O, no clock, no `Math.random`; the same options give the same lines.
 *
 * Shapes follow docs (reference spec §1.3–§3): the log4j2 envelope
 * `HH:mm:ss,SSS [-] [PassThroughMessageProcessor-N]  INFO ELKCounterMetric apimMetrics: apim:<metric>, properties :`
 * then compact Gson JSON with the HashMap key order of real lines, Gson HTML escapes and no nulls.
 * The line time is printed in UTC (a real gateway prints the JVM zone), so output does not depend on
 * the machine. With `variants`, older Synapse shapes and WSO2 APK lines (Go struct key order,
 * `properties: `; the APK log envelope is not documented, so the Synapse one is reused) are mixed in.
 *
 * This file is the public surface and the per-line loop. Beside it: `options.ts` (defaults, validation),
 * `random.ts` (seeded PRNG, weighted and Zipf picks), `tables.ts` (static names, vendors, devices, fault
 * and status codes), `apis.ts` and `catalog.ts` (the per-seed catalog), `traffic.ts` (what each event
 * draws), `lines.ts` (one line per shape), `gson.ts` (string escaping) and `format.ts` (ids, times).
 */

import { buildCatalog } from './catalog.js';
import { createIsoFormatter, uuid } from './format.js';
import type { FaultShape, LineShape, ResponseShape } from './lines.js';
import { faultLine, responseLine } from './lines.js';
import type { GeneratorOptions } from './options.js';
import { resolveOptions } from './options.js';
import { createRandom, fmix32, pickIndex, pickOne } from './random.js';
import type { Base } from './traffic.js';
import { drawFault, drawResponse } from './traffic.js';

export { gsonString } from './gson.js';
export type { LineShape } from './lines.js';
export type { GeneratorOptions } from './options.js';
export { generatorDefaults } from './options.js';

/** Bookkeeping of what a generator has produced so far. */
export interface GeneratorStats {
  lines: number;
  /** `apim:response` lines, all shapes. */
  response: number;
  /** `apim:faulty` lines, all shapes. */
  faulty: number;
  /** Response lines of AI/egress APIs (`properties.isEgress: true`). */
  ai: number;
  /** Response lines served from the gateway cache (`backendLatency` 0). */
  cacheHits: number;
  shapes: Record<LineShape, number>;
}

export interface Generator {
  /** One full line without the trailing newline. */
  next(): string;
  readonly count: number;
  /** A snapshot of the counters. */
  readonly stats: GeneratorStats;
}

const emptyStats = (): GeneratorStats => ({
  lines: 0,
  response: 0,
  faulty: 0,
  ai: 0,
  cacheHits: 0,
  shapes: { response: 0, faulty: 0, 'response-4.2': 0, 'response-apk': 0, 'faulty-4.1': 0, 'faulty-4.2': 0 },
});

/**
 * A deterministic source of `apim_metrics.log` lines: same options, same lines. Event `i` starts at
 * `startTime + i / eventsPerSecond` (plus jitter within the slot); its correlationId is unique for the
 * generator (its first 32 bits are a bijection of `i`).
 */
export function createGenerator(options: GeneratorOptions = {}): Generator {
  const o = resolveOptions(options);
  const r = createRandom(o.seed);
  const { apis, aiApis, users, apps, tables } = buildCatalog(o, r);
  const iso = createIsoFormatter();
  const seedKey = fmix32((o.seed ^ 0x5bd1e995) >>> 0);
  const spacing = 1000 / o.eventsPerSecond;
  const stats = emptyStats();

  const base = (index: number, requestMs: number): Base => {
    const toAi = aiApis.length > 0 && r.chance(o.aiRatio);
    const api = toAi ? aiApis[pickIndex(tables.ai, r)]! : apis[pickIndex(tables.api, r)]!;
    const app = apps[pickIndex(tables.app, r)]!;
    const user = users[pickIndex(tables.user, r)]!;
    return {
      api,
      app,
      user,
      device: pickOne(user.devices, r),
      ipIndex: r.int(user.ips.length),
      keyType: r.chance(app.productionShare) ? '"PRODUCTION"' : '"SANDBOX"',
      correlationId: uuid(fmix32((index ^ seedKey) >>> 0), r.u32(), r.u32(), r.u32()),
      requestTs: iso(requestMs),
      logTime: requestMs,
    };
  };

  const next = (): string => {
    const index = stats.lines;
    const requestMs = o.startTime + Math.floor(index * spacing + (index === 0 ? 0 : r.float() * spacing));
    const b = base(index, requestMs);
    const thread = 1 + r.int(200);
    const mdc = o.variants && r.chance(0.02) ? '[]' : '[-]';
    const variant = o.variants && b.api.ai === undefined ? r.float() : 1;
    stats.lines++;
    if (r.chance(o.faultyRatio)) {
      const e = drawFault(b, requestMs, r);
      const shape: FaultShape = variant < 0.1 ? 'faulty-4.1' : variant < 0.2 ? 'faulty-4.2' : 'faulty';
      stats.faulty++;
      stats.shapes[shape]++;
      return faultLine(shape, e, thread, mdc);
    }
    const e = drawResponse(b, requestMs, r);
    const shape: ResponseShape =
      variant < 0.05 ? 'response-4.2' : variant < 0.1 ? 'response-apk' : 'response';
    stats.response++;
    stats.shapes[shape]++;
    if (e.ai !== undefined) stats.ai++;
    if (e.cacheHit) stats.cacheHits++;
    return responseLine(shape, e, thread, mdc);
  };

  return {
    next,
    get count() {
      return stats.lines;
    },
    get stats() {
      return { ...stats, shapes: { ...stats.shapes } };
    },
  };
}

/** The counters a generator with these options reaches after `lines` lines (runs it; no I/O). */
export function expectedCounts(options: GeneratorOptions, lines: number): GeneratorStats {
  const generator = createGenerator(options);
  for (let i = 0; i < lines; i++) generator.next();
  return generator.stats;
}
