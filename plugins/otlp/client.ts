import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type AgentFetch, agentFetch, type FetchLike } from '../../src/http/agent-fetch.js';
import { readClientTls, tlsHint } from '../../src/http/client-tls.js';
import { rememberSecrets } from '../../src/telemetry/redact.js';
import { errorMessage, type OtlpOutcome, retryAfterMs, type Signal } from './classify.js';
import type { OtlpConfig } from './config.js';

const gzipAsync = promisify(gzip);

type ConnectionConfig = Pick<
  OtlpConfig,
  | 'endpoint'
  | 'metricsEndpoint'
  | 'logsEndpoint'
  | 'headers'
  | 'encoding'
  | 'compression'
  | 'requestTimeoutMs'
  | 'tls'
>;

/** The URL of a signal: its own key, else `endpoint` + `/v1/<signal>`. */
export function signalUrl(config: ConnectionConfig, signal: Signal): string {
  const own = signal === 'metrics' ? config.metricsEndpoint : config.logsEndpoint;
  if (own !== undefined) return own;
  return `${config.endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

/** The request body of an export, as the official OTLP serializers write it. */
export function encodeMetrics(rm: ResourceMetrics, encoding: 'protobuf' | 'json'): Uint8Array {
  const serializer = encoding === 'json' ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const body = serializer.serializeRequest(rm);
  if (body === undefined) throw new Error('the OTLP metrics serializer produced no body');
  return body;
}

export function encodeLogs(records: ReadableLogRecord[], encoding: 'protobuf' | 'json'): Uint8Array {
  const serializer = encoding === 'json' ? JsonLogsSerializer : ProtobufLogsSerializer;
  const body = serializer.serializeRequest(records);
  if (body === undefined) throw new Error('the OTLP logs serializer produced no body');
  return body;
}

/**
 * The partial success of a 2xx answer's body, read by the serializers' own deserializers
 * (`rejectedLogRecords` / `rejectedDataPoints`; int64 may arrive as a JSON string).
 */
export function partialSuccess(
  signal: Signal,
  body: Uint8Array,
  encoding: 'protobuf' | 'json',
): { rejected: number; message: string } {
  if (body.length === 0) return { rejected: 0, message: '' };
  const json = encoding === 'json';
  let partial:
    | { rejectedLogRecords?: number; rejectedDataPoints?: number; errorMessage?: string }
    | undefined;
  try {
    partial =
      signal === 'logs'
        ? (json ? JsonLogsSerializer : ProtobufLogsSerializer).deserializeResponse(body).partialSuccess
        : (json ? JsonMetricsSerializer : ProtobufMetricsSerializer).deserializeResponse(body).partialSuccess;
  } catch {
    // A 2xx whose body is not an export response (a proxy's page): the export was accepted.
    return { rejected: 0, message: '' };
  }
  if (partial === undefined) return { rejected: 0, message: '' };
  const count = signal === 'logs' ? partial.rejectedLogRecords : partial.rejectedDataPoints;
  const rejected = Number(count ?? 0);
  return { rejected: Number.isFinite(rejected) ? rejected : 0, message: partial.errorMessage ?? '' };
}

/** The plugin's only I/O: one POST per export, compressed, bounded by `requestTimeoutMs`. */
export class OtlpClient {
  readonly #config: ConnectionConfig;
  readonly #agent: AgentFetch | undefined;
  readonly #headers: Record<string, string>;

  private constructor(config: ConnectionConfig, agent: AgentFetch | undefined) {
    this.#config = config;
    this.#agent = agent;
    this.#headers = {
      ...config.headers,
      'content-type': config.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      ...(config.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  /** Reads the TLS files (if configured); no request is made. */
  static async open(config: ConnectionConfig): Promise<OtlpClient> {
    rememberSecrets(Object.values(config.headers).filter((v) => v !== ''));
    const agent =
      config.tls === undefined ? undefined : agentFetch(await readClientTls(config.tls, 'plugins.otlp'));
    return new OtlpClient(config, agent);
  }

  close(): void {
    this.#agent?.close();
  }

  /** POSTs `body` to the signal's URL; the outcome, never a throw for a network failure. */
  async export(signal: Signal, body: Uint8Array, cancel: AbortSignal): Promise<OtlpOutcome> {
    const send: FetchLike = this.#agent?.fetch ?? fetch;
    const timeout = AbortSignal.timeout(this.#config.requestTimeoutMs);
    try {
      const payload = this.#config.compression === 'gzip' ? await gzipAsync(body) : body;
      const response = await send(signalUrl(this.#config, signal), {
        method: 'POST',
        headers: this.#headers,
        body: payload,
        signal: AbortSignal.any([cancel, timeout]),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const status = response.status;
      if (status >= 200 && status < 300) {
        const partial = partialSuccess(signal, bytes, this.#config.encoding);
        return { status, message: partial.message, rejectedItems: partial.rejected };
      }
      const wait = retryAfterMs(response.headers.get('retry-after'));
      return {
        status,
        message: errorMessage(bytes, response.headers.get('content-type')),
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      };
    } catch (err) {
      if (timeout.aborted) return { message: `timed out after ${this.#config.requestTimeoutMs} ms` };
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const hint = tlsHint(cause?.code);
      return {
        message: `${(err as Error).name}: ${cause?.code ?? cause?.message ?? (err as Error).message}${hint === undefined ? '' : ` (${hint})`}`,
      };
    }
  }
}
