/**
 * Backends some scenarios need, started once per harness run (only when a selected scenario lists
 * them in `services`) and stopped at the end, also on failure or SIGINT: a real single-node
 * Elasticsearch 8 (test/helpers/elasticsearch.ts: a separate JVM run as user `gax-es`, so its CPU
 * and memory are never counted in a measured child) and the spec-validating loopback Datadog
 * receiver (test/helpers/datadog-receiver.ts), which runs in the harness process; a real Kafka
 * broker and a real OpenTelemetry Collector (`stream-services.ts`), each its own process.
 */
import { buildTemplates } from '../../plugins/elasticsearch/templates.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { type DatadogReceiver, startDatadogReceiver } from '../../test/helpers/datadog-receiver.js';
import { datadogValidator } from '../../test/helpers/datadog-spec.js';
import { type EsNode, findJavaHome, startElasticsearch } from '../../test/helpers/elasticsearch.js';
import { es } from '../../test/helpers/es-scenario.js';
import type { KafkaBroker } from '../../test/helpers/kafka.js';
import {
  type KafkaService,
  type OtlpReceiverService,
  startKafkaService,
  startOtlpReceiver,
} from './stream-services.js';
import { type PostgresService, startPostgresService } from './summaries-services.js';

export type { KafkaService, OtlpReceiverService } from './stream-services.js';

export type ServiceName = 'elasticsearch' | 'datadog' | 'kafka' | 'otelcol-receiver' | 'postgres';

export interface ElasticsearchService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly version: string;
  /** Deletes every index and template an earlier run of the harness created (`gaxbench-*`). */
  reset(): Promise<void>;
  /** Installs the Elasticsearch plugin's templates for `prefix` (what the plugin itself does at start). */
  installTemplates(prefix: string): Promise<void>;
}

export interface DatadogService {
  readonly url: string;
  readonly apiKey: string;
  /** Forgets the requests received so far. */
  reset(): void;
  /** What the receiver accepted for metrics tagged `env:<env>`, read as Datadog stores counts. */
  accepted(env: string): DatadogAccepted;
}

export interface DatadogAccepted {
  /** `apim.requests` totals: last value per (tags, second), summed: one per event. */
  events: number;
  requests: number;
  /** Requests answered with a status other than 2xx. */
  refused: number;
  /** Requests the receiver found fault with (schema, limits). */
  withProblems: number;
}

export interface Services {
  elasticsearch?: ElasticsearchService;
  datadog?: DatadogService;
  kafka?: KafkaService;
  otlp?: OtlpReceiverService;
  postgres?: PostgresService;
}

export interface StartedServices {
  readonly services: Services;
  /** Why a service could not be started. */
  readonly failures: ReadonlyMap<ServiceName, string>;
  /** Stops everything started (by PID for Elasticsearch); idempotent. */
  close(): Promise<void>;
}

/** Prefix of every index, template and Datadog env tag the harness creates. */
export const RUN_TAG_PREFIX = 'gaxbench-';
let runs = 0;

/** A tag unique to one measured run: `gaxbench-<time>-<n>` (a valid index prefix). */
export function newRunTag(): string {
  runs++;
  return `${RUN_TAG_PREFIX}${Date.now().toString(36)}-${runs}`;
}

/** Why this machine cannot run the Elasticsearch scenarios, or undefined. */
export function elasticsearchUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the node runs as user gax-es via runuser)';
  try {
    findJavaHome(8);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function startServices(
  names: ReadonlySet<ServiceName>,
  options: { quick: boolean; log: (message: string) => void },
): Promise<StartedServices> {
  const services: Services = {};
  const failures = new Map<ServiceName, string>();
  let node: EsNode | undefined;
  let receiver: DatadogReceiver | undefined;
  if (names.has('elasticsearch')) {
    try {
      options.log('starting Elasticsearch 8 (once for this run)');
      node = await startElasticsearch({ major: 8, heapMb: options.quick ? 512 : 1024 });
      options.log(`Elasticsearch ${node.version} at ${node.url}, pid ${String(node.pid)}; warming it up`);
      await warmUp(node.url);
      services.elasticsearch = elasticsearchService(node);
    } catch (err) {
      failures.set('elasticsearch', (err as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }
  if (names.has('datadog')) {
    receiver = await startDatadogReceiver({ apiKey: DD_API_KEY });
    // The receiver compiles each schema on first use (~1 s): not during a measured run.
    for (const schema of ['v2/MetricPayload', 'DistributionPointsPayload'] as const)
      datadogValidator(schema)({});
    services.datadog = datadogService(receiver);
  }
  let broker: KafkaBroker | undefined;
  if (names.has('kafka')) {
    try {
      const started = await startKafkaService(options.log);
      broker = started.broker;
      services.kafka = started.service;
    } catch (err) {
      failures.set('kafka', (err as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }
  let collector: (() => Promise<void>) | undefined;
  if (names.has('otelcol-receiver')) {
    try {
      const started = await startOtlpReceiver(options.log);
      collector = started.close;
      services.otlp = started.service;
    } catch (err) {
      failures.set('otelcol-receiver', (err as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }
  let pgServer: { destroy(): Promise<void> } | undefined;
  if (names.has('postgres')) {
    try {
      const started = await startPostgresService(options.log);
      pgServer = started.server;
      services.postgres = started.service;
    } catch (err) {
      failures.set('postgres', (err as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }
  let closing: Promise<void> | undefined;
  return {
    services,
    failures,
    close: () => {
      closing ??= Promise.all([
        node?.destroy(),
        receiver?.close(),
        broker?.destroy(),
        collector?.(),
        pgServer?.destroy(),
      ]).then(() => undefined);
      return closing;
    },
  };
}

const DD_API_KEY = 'bench-api-key';

/**
 * A fresh JVM indexes several times slower than a warm one: 20 bulk requests of 1,000 generated
 * events (as `baseline-es-bulk` writes them) into `gaxbench-warmup`, deleted by the first reset.
 */
async function warmUp(url: string): Promise<void> {
  const generator = createGenerator({ seed: 99 });
  for (let request = 0; request < 20; request++) {
    let body = '';
    for (let i = 0; i < 1000; i++) {
      const line = generator.next();
      const json = line.slice(line.indexOf('{', line.indexOf('properties')));
      body += `{"index":{"_index":"${RUN_TAG_PREFIX}warmup"}}\n${json}\n`;
    }
    const response = await fetch(`${url}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    if (!response.ok) throw new Error(`warm-up bulk: ${response.status} ${await response.text()}`);
  }
}

function elasticsearchService(node: EsNode): ElasticsearchService {
  const { url, version } = node;
  return {
    url,
    version,
    reset: async () => {
      const all = `${RUN_TAG_PREFIX}*`;
      await es(url, 'DELETE', `/${all}?expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true`);
      await es(url, 'DELETE', `/_index_template/${all}`);
      await es(url, 'DELETE', `/_component_template/${all}`);
    },
    installTemplates: async (prefix) => {
      const { components, indexTemplates } = buildTemplates({
        indexPrefix: prefix,
        indexMode: 'index',
        templates: { install: true, numberOfReplicas: 0 },
      });
      for (const t of components) await es(url, 'PUT', `/_component_template/${t.name}`, t.body);
      for (const t of indexTemplates) await es(url, 'PUT', `/_index_template/${t.name}`, t.body);
    },
  };
}

interface Series {
  metric: string;
  tags?: string[];
  points: { timestamp: number; value: number }[];
}

function datadogService(receiver: DatadogReceiver): DatadogService {
  return {
    url: receiver.url,
    apiKey: DD_API_KEY,
    reset: () => receiver.reset(),
    accepted: (env) => {
      const tag = `env:${env}`;
      const last = new Map<string, number>(); // tags@second → the last total written
      let refused = 0;
      let withProblems = 0;
      for (const r of receiver.requests) {
        if (r.problems.length > 0) withProblems++;
        if (r.status === undefined || r.status < 200 || r.status > 299) {
          refused++;
          continue;
        }
        if (r.path !== '/api/v2/series') continue;
        for (const s of (r.body as { series: Series[] }).series) {
          if (s.metric !== 'apim.requests' || !(s.tags ?? []).includes(tag)) continue;
          for (const p of s.points) last.set(`${(s.tags ?? []).join(',')}@${p.timestamp}`, p.value);
        }
      }
      let events = 0;
      for (const value of last.values()) events += value;
      return { events, requests: receiver.requests.length, refused, withProblems };
    },
  };
}
