import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import type { v1, v2 } from '@datadog/datadog-api-client';
// The client's common part only (configuration, servers, auth, its HTTP library): the package's
// index loads every v1 and v2 model (~1 s, ~130 MiB), and its ObjectSerializer and JavaScript
// deflate (pako) cost more CPU per request than building the JSON and compressing it natively.
import { logger } from '@datadog/datadog-api-client/dist/logger.js';
import { applySecurityAuthentication } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration.js';
import {
  BaseServerConfiguration,
  createConfiguration,
  HttpMethod,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/index.js';
import { type AgentFetch, agentFetch, type FetchLike } from '../../src/http/agent-fetch.js';
import { readClientTls, tlsHint } from '../../src/http/client-tls.js';
import { rememberSecrets } from '../../src/telemetry/redact.js';
import { type DdOutcome, errorMessage, rateLimitDelay } from './classify.js';
import type { DatadogConfig } from './config.js';
import { logsJson } from './payload.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

type ConnectionConfig = Pick<
  DatadogConfig,
  'apiKey' | 'apiKeyFile' | 'site' | 'url' | 'requestTimeoutMs' | 'tls'
>;

/**
 * The plugin's only I/O: `@datadog/datadog-api-client` with its own retries off (the pipeline
 * retries), gzip bodies, a per-request timeout, and the response headers kept so a 429's
 * `X-RateLimit-Reset` reaches the retry layer (the client's ApiException does not carry them).
 */
export class DdClient {
  readonly #apiKey: string;
  readonly #config: ConnectionConfig;
  /** `fetch` through an Agent with the configured CA and client certificate, when `tls` is set. */
  readonly #agent: AgentFetch | undefined;

  private constructor(apiKey: string, config: ConnectionConfig, agent: AgentFetch | undefined) {
    this.#apiKey = apiKey;
    this.#config = config;
    this.#agent = agent;
  }

  /** Reads the API key file and the TLS files (if configured); no request is made. */
  static async open(config: ConnectionConfig): Promise<DdClient> {
    // The client logs every failed request itself; the pipeline counts and logs (rate-limited).
    logger.setLevel('silent');
    const key =
      config.apiKeyFile === undefined ? config.apiKey : (await readFile(config.apiKeyFile, 'utf8')).trim();
    if (key === '') throw new Error('the Datadog API key is empty');
    rememberSecrets([key]);
    const agent =
      config.tls === undefined ? undefined : agentFetch(await readClientTls(config.tls, 'plugins.datadog'));
    return new DdClient(key, config, agent);
  }

  /** Ends the kept-alive connections of a custom TLS agent. */
  close(): void {
    this.#agent?.close();
  }

  submitSeries(body: v2.MetricPayload, signal: AbortSignal): Promise<DdOutcome> {
    return this.#call(signal, SERIES, JSON.stringify(body));
  }

  submitDistributions(body: v1.DistributionPointsPayload, signal: AbortSignal): Promise<DdOutcome> {
    return this.#call(signal, DISTRIBUTIONS, JSON.stringify(body));
  }

  submitLogs(body: v2.HTTPLogItem[], signal: AbortSignal): Promise<DdOutcome> {
    return this.#call(signal, LOGS, logsJson(body));
  }

  /**
   * One request as the client's API classes make it (server of the operation, headers, API key),
   * with the body compressed here, through the client's HTTP library with a fresh configuration
   * (its own timeout and header capture). Error bodies are read as the API classes read them.
   */
  async #call(signal: AbortSignal, op: Operation, json: string): Promise<DdOutcome> {
    let headers: Headers | undefined;
    const send: FetchLike = this.#agent?.fetch ?? fetch;
    const capture = async (url: string, init: RequestInit): Promise<Response> => {
      const response = await send(url, init);
      headers = response.headers;
      return response;
    };
    const timeout = AbortSignal.timeout(this.#config.requestTimeoutMs);
    const conf = createConfiguration({
      authMethods: { apiKeyAuth: this.#apiKey },
      fetch: capture,
      httpConfig: { compress: true, signal: AbortSignal.any([signal, timeout]) },
      ...(this.#config.url === undefined
        ? {}
        : { baseServer: new BaseServerConfiguration(this.#config.url, {}) }),
    });
    if (this.#config.url === undefined) conf.setServerVariables({ site: this.#config.site });
    try {
      const request = conf.getServer(op.server).makeRequestContext(op.path, HttpMethod.POST);
      request.setHeaderParam('Accept', op.accept);
      request.setHttpConfig(conf.httpConfig);
      request.setHeaderParam('Content-Encoding', op.encoding);
      request.setHeaderParam('Content-Type', op.contentType);
      request.setBody(op.encoding === 'gzip' ? await gzipAsync(json) : await deflateAsync(json));
      applySecurityAuthentication(conf, request, ['apiKeyAuth']);
      const response = await conf.httpApi.send(request);
      const status = response.httpStatusCode;
      if (status >= 200 && status < 300) return { status, message: 'ok' };
      const text = await response.body.text();
      const retryAfterMs = rateLimitDelay(headers);
      return {
        status,
        message: op.documented.has(status)
          ? errorMessage(parsed(text))
          : errorMessage(`Unknown API Status Code!\nBody: "${text}"`),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
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

/** An intake operation as the client's API class sends it (its server key, path, headers, documented errors). */
interface Operation {
  readonly server: string;
  readonly path: string;
  readonly accept: string;
  readonly contentType: string;
  readonly encoding: 'gzip' | 'deflate';
  /** Statuses whose body the API class reads as Datadog's JSON error; others are "Unknown API Status Code". */
  readonly documented: ReadonlySet<number>;
}

const SERIES: Operation = {
  server: 'v2.MetricsApi.submitMetrics',
  path: '/api/v2/series',
  accept: 'application/json',
  contentType: 'application/json',
  encoding: 'gzip',
  documented: new Set([400, 403, 408, 413, 429]),
};

const DISTRIBUTIONS: Operation = {
  server: 'v1.MetricsApi.submitDistributionPoints',
  path: '/api/v1/distribution_points',
  accept: 'text/json, application/json',
  contentType: 'text/json',
  encoding: 'deflate',
  documented: new Set([400, 403, 408, 413, 429]),
};

const LOGS: Operation = {
  server: 'v2.LogsApi.submitLog',
  path: '/api/v2/logs',
  accept: 'application/json',
  contentType: 'application/json',
  encoding: 'gzip',
  documented: new Set([400, 401, 403, 408, 413, 429, 500, 503]),
};

/** A response body as JSON when it is JSON, else the text. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
