import { client, v1 } from '@datadog/datadog-api-client';
import { agentFetch } from '../../../src/http/agent-fetch.js';
import { readClientTls } from '../../../src/http/client-tls.js';
import type { DatadogConfig } from '../config.js';

/** A dashboard, monitor or log pipeline as the v1 API's JSON (snake_case). */
export type DdJson = Record<string, unknown>;

/**
 * The Datadog management API of `gax setup datadog`: dashboards, monitors and log pipelines with the API and
 * application keys, through the section's `site`/`url` and `tls`. One connection per request.
 */
export class DdSetupClient {
  readonly #dashboards: v1.DashboardsApi;
  readonly #monitors: v1.MonitorsApi;
  readonly #auth: v1.AuthenticationApi;
  readonly #pipelines: v1.LogsPipelinesApi;

  private constructor(conf: client.Configuration) {
    this.#dashboards = new v1.DashboardsApi(conf);
    this.#monitors = new v1.MonitorsApi(conf);
    this.#auth = new v1.AuthenticationApi(conf);
    this.#pipelines = new v1.LogsPipelinesApi(conf);
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

  /** Every log pipeline, as JSON (`logs_read_config`). */
  async logPipelines(): Promise<DdJson[]> {
    return (await this.#pipelines.listLogsPipelines()).map((p) => toJson(p, 'LogsPipeline'));
  }

  /** Creates a log pipeline; resolves to its id (`logs_write_pipelines`). */
  async createLogPipeline(body: DdJson): Promise<string> {
    const model = v1.ObjectSerializer.deserialize(body, 'LogsPipeline', '') as v1.LogsPipeline;
    return String((await this.#pipelines.createLogsPipeline({ body: model })).id);
  }

  /** Replaces a log pipeline's definition. */
  async updateLogPipeline(id: string, body: DdJson): Promise<void> {
    const model = v1.ObjectSerializer.deserialize(body, 'LogsPipeline', '') as v1.LogsPipeline;
    await this.#pipelines.updateLogsPipeline({ pipelineId: id, body: model });
  }
}

function toJson(model: unknown, type: 'Dashboard' | 'Monitor' | 'LogsPipeline'): DdJson {
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
