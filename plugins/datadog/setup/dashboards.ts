import { GaxError } from '../../../src/errors.js';
import type { CommandIo } from '../../../src/plugin/capabilities.js';
import type { DatadogConfig } from '../config.js';
import { logSource } from '../payload.js';
import {
  type BundledObject,
  covers,
  dashboardKey,
  loadDatadogBundle,
  MANAGED_BY_TAG,
  monitorKey,
} from './bundle.js';
import { type DdJson, DdSetupClient, isAuthRefusal, setupErrorText } from './client.js';
import { facetSteps, LOG_FACETS, LOG_MEASURES, LOG_PIPELINE_NAME, wso2LogPipeline } from './log-pipeline.js';
import { ddApiKey } from './section.js';

export interface SetupDatadogOptions {
  /** The Datadog section: API key (or key file), `site` or `url`, `prefix`, `tls`. */
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
 * object. Idempotent. Throws `GAX_ERR_SETUP_FAILED` when anything failed (after printing what
 * was done). Neither key is ever printed.
 */
export async function runSetupDatadog(options: SetupDatadogOptions, io: CommandIo): Promise<0> {
  const { section } = options;
  const fail = (message: string, secrets: readonly string[] = []): GaxError =>
    new GaxError('GAX_ERR_SETUP_FAILED', redact(message, secrets), { command: 'setup datadog' });
  let bundle: Awaited<ReturnType<typeof loadDatadogBundle>>;
  try {
    bundle = await loadDatadogBundle(options.prefix ?? section.prefix, options.dir);
  } catch (err) {
    throw fail(`cannot read the bundled dashboards: ${setupErrorText(err)}`);
  }
  // `logs.format: wso2`: WSO2's log pipeline, and the facets and measures to add by hand.
  const pipeline =
    section.logs.format === 'wso2'
      ? { key: 'log-pipeline', title: LOG_PIPELINE_NAME, body: wso2LogPipeline(logSource(section.logs)) }
      : undefined;
  if (options.print === true) {
    const out = {
      dashboards: bundle.dashboards.map((d) => d.body),
      monitors: bundle.monitors.map((m) => m.body),
      ...(pipeline === undefined
        ? {}
        : {
            logPipeline: pipeline.body,
            logFacets: LOG_FACETS,
            logMeasures: LOG_MEASURES,
            oneTimeSteps: facetSteps(),
          }),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  let apiKey: string;
  try {
    apiKey = await ddApiKey(section);
  } catch (err) {
    throw fail(setupErrorText(err));
  }
  if (apiKey === '') throw fail('no API key: set plugins.datadog.apiKey or apiKeyFile (or DD_API_KEY)');
  const appKey = options.appKey ?? '';
  if (appKey === '')
    throw fail('DD_APP_KEY is not set: managing dashboards and monitors needs an application key');
  const secrets = [apiKey, appKey];
  const server = section.url ?? `https://api.${section.site}`;
  let api: DdSetupClient;
  try {
    api = await DdSetupClient.open(section, { apiKey, appKey });
  } catch (err) {
    throw fail(setupErrorText(err));
  }

  const existingDashboards = new Map<string, string[]>();
  const existingMonitors = new Map<string, DdJson[]>();
  try {
    await api.validate();
  } catch (err) {
    throw fail(
      `${server} refused the API key: ${setupErrorText(err)}; check plugins.datadog.apiKey and site/url`,
      secrets,
    );
  }
  try {
    for await (const d of api.dashboards()) {
      const key = dashboardKey(d.description);
      if (key !== undefined && d.id !== undefined) add(existingDashboards, key, d.id);
    }
    for await (const m of api.monitors(MANAGED_BY_TAG)) {
      const key = monitorKey(m.tags);
      if (key !== undefined) add(existingMonitors, key, m);
    }
  } catch (err) {
    throw fail(
      `cannot list dashboards and monitors on ${server}: ${setupErrorText(err)}${hint(err)}`,
      secrets,
    );
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
  const objects = [...bundle.dashboards, ...bundle.monitors, ...(pipeline === undefined ? [] : [pipeline])];
  const width = Math.max(...objects.map((o) => o.title.length)) + 2;
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  const report = async (
    kind: 'dashboard' | 'monitor' | 'pipeline',
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
        `${kind.padEnd(11)}${o.title.padEnd(width)}${'FAILED'.padEnd(11)}${redact(setupErrorText(err), secrets)}\n`,
      );
    }
  };

  for (const d of bundle.dashboards) {
    await report('dashboard', d, async () => {
      const id = existingDashboards.get(d.key)?.[0];
      if (id === undefined) return ['created', await api.createDashboard(d.body)];
      if (covers(await api.dashboard(id), d.body)) return ['unchanged', id];
      await api.updateDashboard(id, d.body);
      return ['updated', id];
    });
  }
  for (const m of bundle.monitors) {
    await report('monitor', m, async () => {
      const current = existingMonitors.get(m.key)?.[0];
      if (current === undefined) return ['created', await api.createMonitor(m.body)];
      const id = Number(current.id);
      if (covers(current, m.body)) return ['unchanged', String(id)];
      await api.updateMonitor(id, m.body);
      return ['updated', String(id)];
    });
  }
  if (pipeline !== undefined) {
    await report('pipeline', pipeline, async () => {
      // Listed here, not with the dashboards: a key without the logs permissions fails this line only.
      try {
        const current = (await api.logPipelines()).find((p) => p.name === pipeline.title);
        if (current === undefined) return ['created', await api.createLogPipeline(pipeline.body)];
        const id = String(current.id);
        if (covers(current, pipeline.body)) return ['unchanged', id];
        await api.updateLogPipeline(id, pipeline.body);
        return ['updated', id];
      } catch (err) {
        if (!isAuthRefusal(err)) throw err;
        throw new Error(
          `${setupErrorText(err)}; log pipelines need an application key with logs_read_config and logs_write_pipelines`,
        );
      }
    });
    for (const line of facetSteps()) io.stdout.write(`${line}\n`);
  }
  const total = objects.length;
  const logs = pipeline === undefined ? '' : ', 1 log pipeline';
  io.stdout.write(
    `done: ${bundle.dashboards.length} dashboards, ${bundle.monitors.length} monitors${logs} (${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed} failed) on ${server}\n`,
  );
  if (counts.failed > 0) throw fail(`${counts.failed} of ${total} objects failed`);
  return 0;
}

function add<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

function hint(err: unknown): string {
  if (!isAuthRefusal(err)) return '';
  return '; check DD_APP_KEY (an application key of the same organisation, with dashboards_read, dashboards_write, monitors_read and monitors_write)';
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.replaceAll(s, '***'), text);
}
