/**
 * Backends some scenarios need, started once per harness run (only when a selected scenario lists
 * them in `services`) and stopped at the end, also on failure or SIGINT: a real single-node
 * Elasticsearch 8 and OpenSearch 2 (`search-services.ts`: separate JVMs run as user `gax-es`, so
 * their CPU and memory are never counted in a measured child) and the spec-validating loopback Datadog
 * receiver (test/helpers/datadog-receiver.ts), which runs in the harness process; a real Kafka
 * broker and a real OpenTelemetry Collector (`stream-services.ts`), each its own process.
 */
import { type DatadogReceiver, startDatadogReceiver } from '../../test/helpers/datadog-receiver.js';
import { datadogValidator } from '../../test/helpers/datadog-spec.js';
import type { KafkaBroker } from '../../test/helpers/kafka.js';
import {
  type SearchBackend,
  type SearchIndexService,
  searchBackendUnavailable,
  startSearchService,
} from './search-services.js';
import {
  type KafkaService,
  type OtlpReceiverService,
  startKafkaService,
  startOtlpReceiver,
} from './stream-services.js';
import { type PostgresService, startPostgresService } from './summaries-services.js';

export type { SearchBackend, SearchIndexService } from './search-services.js';
export type { KafkaService, OtlpReceiverService } from './stream-services.js';

export type ServiceName = SearchBackend | 'datadog' | 'kafka' | 'otelcol-receiver' | 'postgres';

/** The Elasticsearch node as the scenarios see it (the OpenSearch one is the same kind). */
export type ElasticsearchService = SearchIndexService;

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
  elasticsearch?: SearchIndexService;
  opensearch?: SearchIndexService;
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
  return searchBackendUnavailable('elasticsearch');
}

/** Why this machine cannot run the OpenSearch scenarios, or undefined. */
export function opensearchUnavailable(): string | undefined {
  return searchBackendUnavailable('opensearch');
}

export async function startServices(
  names: ReadonlySet<ServiceName>,
  options: { quick: boolean; log: (message: string) => void },
): Promise<StartedServices> {
  const services: Services = {};
  const failures = new Map<ServiceName, string>();
  const nodes: (() => Promise<void>)[] = [];
  for (const backend of ['elasticsearch', 'opensearch'] as const) {
    if (!names.has(backend)) continue;
    try {
      const started = await startSearchService(backend, { ...options, runTagPrefix: RUN_TAG_PREFIX });
      nodes.push(started.destroy);
      services[backend] = started.service;
    } catch (err) {
      failures.set(backend, (err as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }
  let receiver: DatadogReceiver | undefined;
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
        ...nodes.map((destroy) => destroy()),
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
