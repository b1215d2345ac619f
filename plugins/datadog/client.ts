import { readFile } from 'node:fs/promises';
import { client, logger, v1, v2 } from '@datadog/datadog-api-client';
import { type AgentFetch, agentFetch, type FetchLike } from '../../src/http/agent-fetch.js';
import { readClientTls, tlsHint } from '../../src/http/client-tls.js';
import { rememberSecrets } from '../../src/telemetry/redact.js';
import { type DdOutcome, errorMessage, rateLimitDelay } from './classify.js';
import type { DatadogConfig } from './config.js';

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
    return this.#call(signal, (conf) =>
      new v2.MetricsApi(conf).submitMetrics({ body, contentEncoding: 'gzip' }),
    );
  }

  submitDistributions(body: v1.DistributionPointsPayload, signal: AbortSignal): Promise<DdOutcome> {
    return this.#call(signal, (conf) =>
      new v1.MetricsApi(conf).submitDistributionPoints({ body, contentEncoding: 'deflate' }),
    );
  }

  submitLogs(body: v2.HTTPLogItem[], signal: AbortSignal): Promise<DdOutcome> {
    return this.#call(signal, (conf) => new v2.LogsApi(conf).submitLog({ body, contentEncoding: 'gzip' }));
  }

  /** Runs one API call with a fresh configuration (its own timeout and header capture). */
  async #call(
    signal: AbortSignal,
    request: (conf: client.Configuration) => Promise<unknown>,
  ): Promise<DdOutcome> {
    let headers: Headers | undefined;
    let status: number | undefined;
    const send: FetchLike = this.#agent?.fetch ?? fetch;
    const capture = async (url: string, init: RequestInit): Promise<Response> => {
      const response = await send(url, init);
      headers = response.headers;
      status = response.status;
      return response;
    };
    const timeout = AbortSignal.timeout(this.#config.requestTimeoutMs);
    const conf = client.createConfiguration({
      authMethods: { apiKeyAuth: this.#apiKey },
      fetch: capture,
      httpConfig: { compress: true, signal: AbortSignal.any([signal, timeout]) },
      ...(this.#config.url === undefined
        ? {}
        : { baseServer: new client.BaseServerConfiguration(this.#config.url, {}) }),
    });
    if (this.#config.url === undefined) conf.setServerVariables({ site: this.#config.site });
    try {
      await request(conf);
      return { status: status ?? 202, message: 'ok' };
    } catch (err) {
      // An ApiException carries the HTTP status as `code`; a DOMException (abort, timeout) also
      // has a numeric `code` (e.g. 23), which is not a status.
      const code = err instanceof client.ApiException ? (err as { code: unknown }).code : undefined;
      if (typeof code === 'number' && code >= 100) {
        const retryAfterMs = rateLimitDelay(headers);
        const message = errorMessage((err as { body?: unknown }).body);
        return { status: code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      if (timeout.aborted) return { message: `timed out after ${this.#config.requestTimeoutMs} ms` };
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const hint = tlsHint(cause?.code);
      return {
        message: `${(err as Error).name}: ${cause?.code ?? cause?.message ?? (err as Error).message}${hint === undefined ? '' : ` (${hint})`}`,
      };
    }
  }
}

/** A dashboard or monitor as the v1 API's JSON (snake_case). */
export type DdJson = Record<string, unknown>;

/**
 * The Datadog management API of `gax setup datadog`: dashboards and monitors with the API and
 * application keys, through the section's `site`/`url` and `tls`. One connection per request.
 */
export class DdSetupClient {
  readonly #dashboards: v1.DashboardsApi;
  readonly #monitors: v1.MonitorsApi;
  readonly #auth: v1.AuthenticationApi;

  private constructor(conf: client.Configuration) {
    this.#dashboards = new v1.DashboardsApi(conf);
    this.#monitors = new v1.MonitorsApi(conf);
    this.#auth = new v1.AuthenticationApi(conf);
  }

  /** Reads the TLS files (if configured); no request is made. */
  static async open(
    section: Pick<DatadogConfig, 'site' | 'url' | 'tls'>,
    keys: { readonly apiKey: string; readonly appKey: string },
  ): Promise<DdSetupClient> {
    const tls =
      section.tls === undefined
        ? undefined
        : agentFetch(await readClientTls(section.tls, 'plugins.datadog'), { keepAlive: false });
    const conf = client.createConfiguration({
      authMethods: { apiKeyAuth: keys.apiKey, appKeyAuth: keys.appKey },
      ...(tls === undefined ? {} : { fetch: tls.fetch }),
      ...(section.url === undefined
        ? {}
        : { baseServer: new client.BaseServerConfiguration(section.url.replace(/\/+$/, ''), {}) }),
    });
    if (section.url === undefined) conf.setServerVariables({ site: section.site });
    return new DdSetupClient(conf);
  }

  /** Rejects when Datadog refuses the API key. */
  async validate(): Promise<void> {
    await this.#auth.validate();
  }

  /** Every dashboard's id and description. */
  async *dashboards(): AsyncGenerator<{ id?: string; description?: string | null }> {
    yield* this.#dashboards.listDashboardsWithPagination();
  }

  /** Every monitor carrying `tag`, as JSON. */
  async *monitors(tag: string): AsyncGenerator<DdJson> {
    for await (const m of this.#monitors.listMonitorsWithPagination({ monitorTags: tag }))
      yield toJson(m, 'Monitor');
  }

  async dashboard(id: string): Promise<DdJson> {
    return toJson(await this.#dashboards.getDashboard({ dashboardId: id }), 'Dashboard');
  }

  /** Creates a dashboard; resolves to its id. */
  async createDashboard(body: DdJson): Promise<string> {
    const model = v1.ObjectSerializer.deserialize(body, 'Dashboard', '') as v1.Dashboard;
    return String((await this.#dashboards.createDashboard({ body: model })).id);
  }

  async updateDashboard(id: string, body: DdJson): Promise<void> {
    const model = v1.ObjectSerializer.deserialize(body, 'Dashboard', '') as v1.Dashboard;
    await this.#dashboards.updateDashboard({ dashboardId: id, body: model });
  }

  /** Creates a monitor; resolves to its id. */
  async createMonitor(body: DdJson): Promise<string> {
    const model = v1.ObjectSerializer.deserialize(body, 'Monitor', '') as v1.Monitor;
    return String((await this.#monitors.createMonitor({ body: model })).id);
  }

  async updateMonitor(id: number, body: DdJson): Promise<void> {
    const model = v1.ObjectSerializer.deserialize(
      body,
      'MonitorUpdateRequest',
      '',
    ) as v1.MonitorUpdateRequest;
    await this.#monitors.updateMonitor({ monitorId: id, body: model });
  }
}

function toJson(model: unknown, type: 'Dashboard' | 'Monitor'): DdJson {
  return JSON.parse(JSON.stringify(v1.ObjectSerializer.serialize(model, type, ''))) as DdJson;
}

/** A failed management call in one line: `HTTP <status> <errors>`, or the error and its cause. */
export function setupErrorText(err: unknown): string {
  if (err instanceof client.ApiException) {
    const body = (err as client.ApiException<unknown>).body;
    const errors = (body as { errors?: unknown } | undefined)?.errors;
    const why = Array.isArray(errors) ? errors.map(String).join('; ') : typeof body === 'string' ? body : '';
    return `HTTP ${err.code}${why === '' ? '' : ` ${why.slice(0, 500)}`}`;
  }
  if (err instanceof Error) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return cause === undefined ? err.message : `${err.message} (${cause})`;
  }
  return String(err);
}

/** Whether Datadog refused the keys (401, 403). */
export function isAuthRefusal(err: unknown): boolean {
  return err instanceof client.ApiException && (err.code === 401 || err.code === 403);
}
