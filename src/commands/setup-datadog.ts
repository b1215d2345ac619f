import { client, v1 } from '@datadog/datadog-api-client';
import type { DatadogConfig } from '../../plugins/datadog/config.js';
import { type AgentFetch, agentFetch } from '../http/agent-fetch.js';
import { readClientTls } from '../http/client-tls.js';
import {
  type BundledObject,
  covers,
  dashboardKey,
  type Json,
  loadDatadogBundle,
  MANAGED_BY_TAG,
  monitorKey,
} from './datadog-bundle.js';
import { ddApiKey } from './datadog-section.js';
import type { SetupIo } from './setup-elasticsearch.js';

export interface SetupDatadogOptions {
  /** `plugins.datadog`: API key (or key file), `site` or `url`, `prefix`. */
  readonly section: DatadogConfig;
  /** The application key (`DD_APP_KEY`); dashboards and monitors cannot be managed without one. */
  readonly appKey: string | undefined;
  /** Metric prefix the queries are rewritten for; default `section.prefix`. */
  readonly prefix?: string;
  /** Print the bodies it would send and contact nothing. */
  readonly print?: boolean;
  /** The bundle directory; default the package's dashboards/datadog. */
  readonly dir?: string;
}

type Result = 'created' | 'updated' | 'unchanged';

/**
 * `gax setup datadog`: creates the bundled dashboards and monitors that are missing (found by
 * their gax key: `[gax:<key>]` at the end of a dashboard's description, tag `gax-id:<key>` on a
 * monitor), updates those that differ, leaves identical ones alone, and prints one line per
 * object. Idempotent. Exit 1 if anything failed. Neither key is ever printed.
 */
export async function runSetupDatadog(options: SetupDatadogOptions, io: SetupIo): Promise<0 | 1> {
  const { section } = options;
  const fail = (message: string, secrets: readonly string[] = []): 1 => {
    io.stderr.write(`gax setup datadog: ${redact(message, secrets)} [GAX_ERR_SETUP_FAILED]\n`);
    return 1;
  };
  let bundle: Awaited<ReturnType<typeof loadDatadogBundle>>;
  try {
    bundle = await loadDatadogBundle(options.prefix ?? section.prefix, options.dir);
  } catch (err) {
    return fail(`cannot read the bundled dashboards: ${errorText(err)}`);
  }
  if (options.print === true) {
    const out = {
      dashboards: bundle.dashboards.map((d) => d.body),
      monitors: bundle.monitors.map((m) => m.body),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  let apiKey: string;
  try {
    apiKey = await ddApiKey(section);
  } catch (err) {
    return fail(errorText(err));
  }
  if (apiKey === '') return fail('no API key: set plugins.datadog.apiKey or apiKeyFile (or DD_API_KEY)');
  const appKey = options.appKey ?? '';
  if (appKey === '')
    return fail('DD_APP_KEY is not set: managing dashboards and monitors needs an application key');
  const secrets = [apiKey, appKey];
  const server = section.url ?? `https://api.${section.site}`;
  let tls: AgentFetch | undefined;
  try {
    if (section.tls !== undefined) {
      tls = agentFetch(await readClientTls(section.tls, 'plugins.datadog'), { keepAlive: false });
    }
  } catch (err) {
    return fail(errorText(err));
  }
  const conf = client.createConfiguration({
    authMethods: { apiKeyAuth: apiKey, appKeyAuth: appKey },
    ...(tls === undefined ? {} : { fetch: tls.fetch }),
    ...(section.url === undefined
      ? {}
      : { baseServer: new client.BaseServerConfiguration(section.url.replace(/\/+$/, ''), {}) }),
  });
  if (section.url === undefined) conf.setServerVariables({ site: section.site });
  const dashboardsApi = new v1.DashboardsApi(conf);
  const monitorsApi = new v1.MonitorsApi(conf);

  const existingDashboards = new Map<string, string[]>();
  const existingMonitors = new Map<string, Json[]>();
  try {
    await new v1.AuthenticationApi(conf).validate();
  } catch (err) {
    return fail(
      `${server} refused the API key: ${errorText(err)}; check plugins.datadog.apiKey and site/url`,
      secrets,
    );
  }
  try {
    for await (const d of dashboardsApi.listDashboardsWithPagination()) {
      const key = dashboardKey(d.description);
      if (key !== undefined && d.id !== undefined) add(existingDashboards, key, d.id);
    }
    for await (const m of monitorsApi.listMonitorsWithPagination({ monitorTags: MANAGED_BY_TAG })) {
      const key = monitorKey(m.tags);
      if (key !== undefined) add(existingMonitors, key, toJson(m, 'Monitor'));
    }
  } catch (err) {
    return fail(`cannot list dashboards and monitors on ${server}: ${errorText(err)}${hint(err)}`, secrets);
  }

  for (const [key, ids] of existingDashboards) {
    if (ids.length > 1)
      io.stdout.write(`note: dashboards ${ids.join(', ')} all carry [gax:${key}]; managing ${ids[0]}\n`);
  }
  for (const [key, list] of existingMonitors) {
    if (list.length > 1)
      io.stdout.write(
        `note: monitors ${list.map((m) => m.id).join(', ')} all carry gax-id:${key}; managing ${list[0]?.id}\n`,
      );
  }
  const width = Math.max(...[...bundle.dashboards, ...bundle.monitors].map((o) => o.title.length)) + 2;
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  const report = async (
    kind: 'dashboard' | 'monitor',
    o: BundledObject,
    apply: () => Promise<[Result, string]>,
  ) => {
    try {
      const [result, id] = await apply();
      counts[result] += 1;
      io.stdout.write(`${kind.padEnd(11)}${o.title.padEnd(width)}${result.padEnd(11)}${id}\n`);
    } catch (err) {
      counts.failed += 1;
      io.stdout.write(
        `${kind.padEnd(11)}${o.title.padEnd(width)}${'FAILED'.padEnd(11)}${redact(errorText(err), secrets)}\n`,
      );
    }
  };

  for (const d of bundle.dashboards) {
    await report('dashboard', d, async () => {
      const body = v1.ObjectSerializer.deserialize(d.body, 'Dashboard', '') as v1.Dashboard;
      const id = existingDashboards.get(d.key)?.[0];
      if (id === undefined) return ['created', String((await dashboardsApi.createDashboard({ body })).id)];
      const current = toJson(await dashboardsApi.getDashboard({ dashboardId: id }), 'Dashboard');
      if (covers(current, d.body)) return ['unchanged', id];
      await dashboardsApi.updateDashboard({ dashboardId: id, body });
      return ['updated', id];
    });
  }
  for (const m of bundle.monitors) {
    await report('monitor', m, async () => {
      const current = existingMonitors.get(m.key)?.[0];
      if (current === undefined) {
        const body = v1.ObjectSerializer.deserialize(m.body, 'Monitor', '') as v1.Monitor;
        return ['created', String((await monitorsApi.createMonitor({ body })).id)];
      }
      const id = Number(current.id);
      if (covers(current, m.body)) return ['unchanged', String(id)];
      const body = v1.ObjectSerializer.deserialize(
        m.body,
        'MonitorUpdateRequest',
        '',
      ) as v1.MonitorUpdateRequest;
      await monitorsApi.updateMonitor({ monitorId: id, body });
      return ['updated', String(id)];
    });
  }
  const total = bundle.dashboards.length + bundle.monitors.length;
  io.stdout.write(
    `done: ${bundle.dashboards.length} dashboards, ${bundle.monitors.length} monitors (${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed} failed) on ${server}\n`,
  );
  if (counts.failed > 0) return fail(`${counts.failed} of ${total} objects failed`);
  return 0;
}

function add<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

function toJson(model: unknown, type: 'Dashboard' | 'Monitor'): Json {
  return JSON.parse(JSON.stringify(v1.ObjectSerializer.serialize(model, type, ''))) as Json;
}

function errorText(err: unknown): string {
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

function hint(err: unknown): string {
  if (!(err instanceof client.ApiException) || (err.code !== 401 && err.code !== 403)) return '';
  return '; check DD_APP_KEY (an application key of the same organisation, with dashboards_read, dashboards_write, monitors_read and monitors_write)';
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.replaceAll(s, '***'), text);
}
