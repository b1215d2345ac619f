import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import type { GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { readNdjson, sample, testConfig, waitFor } from './daemon.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { countDocs, expectConserved, expectedIndices, type KnownLog, knownLog } from './search-scenario.js';

/**
 * The rig of the fault-scenario tests of the search-index plugins (elasticsearch, opensearch): a
 * real node behind the fault proxy, one temp dir and index prefix per scenario, a daemon writing
 * through the proxy with fast retries, and the conservation check. The scenarios themselves are in
 * search-fault-scenarios.ts; each backend's test file starts its node once and runs them.
 */

/** What differs between the backends the scenarios run against. */
export interface FaultBackend {
  /** The plugin type, also its config section and its instance's `plugin` label. */
  readonly plugin: 'elasticsearch' | 'opensearch';
  /** Prefix of the plugin's own metric families, e.g. `gax_elasticsearch`. */
  readonly metrics: string;
  /** The node behind the proxy: read directly for the assertions, stopped and started by a scenario. */
  readonly node: { readonly url: string; stop(): Promise<void>; start(): Promise<void> };
  /** More keys of the plugin's section, as YAML flow entries each led by `, ` (e.g. `, indexMode: daily`). */
  readonly section?: string;
  /** The index an event must land in, from the plugin's documented naming (not its code). */
  indexOf(prefix: string, event: CanonicalEvent): string;
}

/** The documented deterministic `_id` both plugins give an event (short correlation ids). */
export function documentIdOf(event: CanonicalEvent): string {
  return `${event.eventType}:${event.correlationId}`;
}

/** One scenario: its temp dir (logs/, state/, out/), its index prefix and its known log. */
export interface FaultScenario {
  readonly dir: string;
  readonly prefix: string;
  readonly log: KnownLog;
}

export class FaultRig {
  readonly backend: FaultBackend;
  readonly proxy: FaultProxy;
  #scenarios = 0;
  #dir: string | undefined;
  #daemon: Daemon | undefined;

  constructor(backend: FaultBackend, proxy: FaultProxy) {
    this.backend = backend;
    this.proxy = proxy;
  }

  /** The running in-process daemon of the current scenario, if any. */
  get daemon(): Daemon | undefined {
    return this.#daemon;
  }

  /** A fresh temp dir, index prefix and log of `lines` generated lines (seed per scenario). */
  async newScenario(lines: number, options: GeneratorOptions = {}): Promise<FaultScenario> {
    this.#scenarios++;
    const dir = await mkdtemp(join(tmpdir(), `gax-${this.backend.plugin}-faults-`));
    this.#dir = dir;
    const log = knownLog(lines, { seed: 100 + this.#scenarios, ...options });
    return { dir, prefix: `faults${this.#scenarios}`, log };
  }

  /** afterEach: passthrough proxy, daemon stopped, temp dir removed. */
  async cleanup(): Promise<void> {
    this.proxy.clear();
    await this.#daemon?.stop();
    this.#daemon = undefined;
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /**
   * The YAML line of the plugin writing to `prefix` through the proxy, with a 1 s request timeout
   * by default (short, so a slow answer is abandoned and resent quickly).
   */
  section(prefix: string, requestTimeoutMs = 1000): string {
    const { plugin, section = '' } = this.backend;
    return `  ${plugin}: { enabled: true, node: ${JSON.stringify(this.proxy.url)}, indexPrefix: ${prefix}, requestTimeoutMs: ${requestTimeoutMs}, templates: { numberOfReplicas: 0 }${section} }`;
  }

  /**
   * An in-process daemon (file and prometheus plugins too) with batches of 200, 4 queued, fast
   * retries; `requestTimeoutMs` as in {@link section}.
   */
  async startDaemon(scenario: FaultScenario, requestTimeoutMs?: number): Promise<Daemon> {
    const base = testConfig(scenario.dir, this.section(scenario.prefix, requestTimeoutMs));
    const { pipeline } = base;
    const config = {
      ...base,
      pipeline: {
        ...pipeline,
        batchMaxEvents: 200,
        queueMaxBatches: 4,
        retry: { ...pipeline.retry, initialIntervalMs: 50, maxIntervalMs: 500 },
      },
    };
    this.#daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
    await this.#daemon.start();
    return this.#daemon;
  }

  /** Documents in `<prefix>_*` on the node itself (not through the proxy). */
  count(prefix: string): Promise<number> {
    return countDocs(this.backend.node.url, `${prefix}_*`);
  }

  /**
   * Waits until `<prefix>_*` holds as many documents as the log has events, then asserts
   * conservation (each index exactly its events, each once) and that nothing was dead-lettered.
   */
  async expectExact(scenario: FaultScenario, timeoutMs = 60_000): Promise<void> {
    const { prefix, log, dir } = scenario;
    await waitFor(
      async () => (await this.count(prefix)) >= log.events.length,
      timeoutMs,
      `${log.events.length} documents in ${prefix}_*`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const expected = expectedIndices(log.events, (e) => this.backend.indexOf(prefix, e), documentIdOf);
    await expectConserved(this.backend.node.url, `${prefix}_*`, expected);
    expect(await readNdjson(join(dir, 'state', 'dead-letter.ndjson'))).toEqual([]);
  }

  /** `<metrics>_<name>{plugin="<plugin>"<labels>}`, e.g. `series('bulk_requests_total', ',status="429"')`. */
  series(name: string, labels = ''): string {
    return `${this.backend.metrics}_${name}{plugin="${this.backend.plugin}"${labels}}`;
  }

  /** A core series of the plugin's instance, e.g. `core('gax_plugin_up')`. */
  core(name: string): string {
    return `${name}{plugin="${this.backend.plugin}"}`;
  }

  /** The value of `series` on the running daemon's /metrics (0 when absent). */
  async metric(series: string): Promise<number> {
    const text = await (await fetch(`${this.#daemon?.url}/metrics`)).text();
    return sample(text, series) ?? 0;
  }
}

/** A node a test file starts once: what {@link FaultBackend} needs, and its removal. */
export interface FaultNode {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Registers the file's hooks: `startNode()` and a proxy in front of it once (beforeAll), the
 * scenario cleanup after each test, proxy and node removed at the end. Returns the rig's getter.
 */
export function useFaultRig(
  startNode: () => Promise<FaultNode>,
  backend: Omit<FaultBackend, 'node'>,
): () => FaultRig {
  let node: FaultNode | undefined;
  let rig: FaultRig | undefined;
  beforeAll(async () => {
    node = await startNode();
    rig = new FaultRig({ ...backend, node }, await startFaultProxy(node.url));
  }, 300_000);
  afterAll(async () => {
    await rig?.proxy.close();
    await node?.destroy();
  });
  afterEach(() => rig?.cleanup());
  return () => {
    if (rig === undefined) throw new Error('the fault rig has not started');
    return rig;
  };
}
