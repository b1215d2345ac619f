/**
 * `gax setup datadog` with `logs.format: wso2` (the built CLI) against the loopback Datadog API
 * stand-in: it creates the log pipeline of WSO2's Datadog solution through the Logs Pipelines API
 * (every body checked against Datadog's OpenAPI schema `LogsPipeline`), idempotently, and prints
 * the facets and measures Datadog's API cannot create as one-time steps.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { covers } from '../../plugins/datadog/setup/bundle.js';
import {
  LOG_FACETS,
  LOG_MEASURES,
  LOG_PIPELINE_NAME,
  wso2LogPipeline,
} from '../../plugins/datadog/setup/log-pipeline.js';
import { runCli } from '../helpers/cli.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { clientRoundTrip, datadogValidator } from '../helpers/datadog-spec.js';
import { runPty } from '../helpers/pty.js';

const API_KEY = 'api-key-51f0c9e2aa';
const APP_KEY = 'app-key-8e27d1b4c0';
const PIPELINES = '/api/v1/logs/config/pipelines';

let receiver: DatadogReceiver;
let dir: string;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY, appKey: APP_KEY });
  dir = await mkdtemp(join(tmpdir(), 'gax-setup-dd-logs-'));
});

afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.clear();
  receiver.reset();
});

let configs = 0;
/** A daemon configuration whose `plugins.datadog` points at the receiver, logs as `logs`. */
async function config(logs: Record<string, unknown> = { enabled: true, format: 'wso2' }): Promise<string> {
  const path = join(dir, `gax-${++configs}.yaml`);
  const section = { url: receiver.url, apiKey: API_KEY, logs };
  await writeFile(
    path,
    `inputs: [{ paths: [apim_metrics.log] }]\nplugins:\n  datadog: ${JSON.stringify(section)}\n`,
  );
  return path;
}

function setup(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(['setup', 'datadog', ...args], {
    env: { DD_APP_KEY: APP_KEY, DD_API_KEY: '', DD_SITE: '', ...env },
  });
}

const pipelineRequests = (from = 0) =>
  receiver.requests.slice(from).filter((r) => r.path.startsWith(PIPELINES));
const pipelineWrites = (from = 0) => pipelineRequests(from).filter((r) => r.method !== 'GET');
const pipelineLine = (stdout: string, result: string) =>
  new RegExp(`^pipeline\\s+\\[gax\\] WSO2 API Manager analytics\\s+${result}\\s+(\\S+)$`, 'm').exec(stdout);

describe('gax setup datadog with logs.format: wso2', () => {
  it('creates the log pipeline (valid per Datadog’s schema) and prints the facet and measure steps', async () => {
    const r = await setup(['-c', await config()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(receiver.pipelines.size).toBe(1);
    const [id, stored] = [...receiver.pipelines.entries()][0] as [string, Record<string, unknown>];
    expect(pipelineLine(r.stdout, 'created')?.[1]).toBe(id);
    expect(stored).toMatchObject({ name: LOG_PIPELINE_NAME, filter: { query: 'source:apim_node' } });
    expect(covers(stored, wso2LogPipeline('apim_node'))).toBe(true);
    const posts = pipelineWrites();
    expect(posts.map((q) => q.method)).toEqual(['POST']);
    expect(posts[0]?.headers['dd-application-key']).toBe(APP_KEY);
    expect(receiver.requests.flatMap((q) => q.problems)).toEqual([]);
    for (const f of LOG_FACETS)
      expect(r.stdout).toContain(`facet    path ${f.path}  type string  group "WSO2 API Manager"`);
    expect(r.stdout).toContain(
      'measure  path @backendLatency  type integer  group "WSO2 API Manager"  display name "backendLatency"  unit time/millisecond',
    );
    expect(r.stdout).toContain('measure  path @errorCode  type integer');
    expect(r.stdout).toMatch(/done: \d+ dashboards, \d+ monitors, 1 log pipeline \(\d+ created, 0 updated/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(APP_KEY);
  });

  it('leaves an identical pipeline alone and puts back one changed in Datadog, in place', async () => {
    const file = await config();
    await setup(['-c', file]);
    const id = [...receiver.pipelines.keys()][0] as string;
    const before = receiver.requests.length;
    const again = await setup(['-c', file]);
    expect(again.code).toBe(0);
    expect(pipelineLine(again.stdout, 'unchanged')?.[1]).toBe(id);
    expect(pipelineWrites(before)).toEqual([]);

    const stored = receiver.pipelines.get(id) as Record<string, unknown>;
    const changed = await fetch(`${receiver.url}${PIPELINES}/${id}`, {
      method: 'PUT',
      headers: { 'dd-api-key': API_KEY, 'dd-application-key': APP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ ...stored, processors: [] }),
    });
    expect(changed.status).toBe(200);
    const from = receiver.requests.length;
    const fixed = await setup(['-c', file]);
    expect(fixed.code).toBe(0);
    expect(pipelineLine(fixed.stdout, 'updated')?.[1]).toBe(id);
    expect(pipelineWrites(from).map((q) => `${q.method} ${q.path}`)).toEqual([`PUT ${PIPELINES}/${id}`]);
    expect(receiver.pipelines.size).toBe(1);
    expect(covers(receiver.pipelines.get(id), wso2LogPipeline('apim_node'))).toBe(true);
    expect(receiver.requests.flatMap((q) => q.problems)).toEqual([]);
  });

  it('filters on logs.source when it is set, updating the same pipeline', async () => {
    await setup(['-c', await config()]);
    const r = await setup(['-c', await config({ enabled: true, format: 'wso2', source: 'apim_gw' })]);
    expect(r.code).toBe(0);
    expect(pipelineLine(r.stdout, 'updated')).not.toBeNull();
    expect([...receiver.pipelines.values()]).toEqual([
      expect.objectContaining({ filter: { query: 'source:apim_gw' } }),
    ]);
  });

  it('touches no pipeline with the default log format', async () => {
    const r = await setup(['-c', await config({ enabled: true })]);
    expect(r.code).toBe(0);
    expect(pipelineRequests()).toEqual([]);
    expect(r.stdout).not.toContain('pipeline');
    expect(r.stdout).not.toContain('facet');
  });

  it('reports a pipeline Datadog refuses with the permissions it needs, sets up the rest, and exits 1', async () => {
    receiver.inject({ kind: 'status', status: 403 }, { path: PIPELINES });
    const r = await setup(['-c', await config()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^pipeline\s+\[gax\] WSO2 API Manager analytics\s+FAILED\s+HTTP 403 Forbidden; log pipelines need an application key with logs_read_config and logs_write_pipelines$/m,
    );
    expect(receiver.dashboards.size).toBeGreaterThan(0);
    expect(r.stderr).toContain('1 of');
    expect(r.stderr).toContain('[GAX_ERR_SETUP_FAILED]');
  });

  it('--print adds the pipeline, the facets and the measures, and contacts nothing', async () => {
    const r = await setup(['-c', await config(), '--print']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    const out = JSON.parse(r.stdout) as {
      logPipeline: unknown;
      logFacets: unknown[];
      logMeasures: unknown[];
      oneTimeSteps: string[];
    };
    expect(out.logPipeline).toEqual(wso2LogPipeline('apim_node'));
    expect(out.logFacets).toEqual(LOG_FACETS);
    expect(out.logMeasures).toEqual(JSON.parse(JSON.stringify(LOG_MEASURES)));
    expect(out.oneTimeSteps).toHaveLength(1 + LOG_FACETS.length + LOG_MEASURES.length);
    const none = await setup(['-c', await config({ enabled: true }), '--print']);
    expect(JSON.parse(none.stdout)).not.toHaveProperty('logPipeline');
  });

  it('--print on a terminal shows the pipeline and the one-time steps', async () => {
    const r = await runPty(['setup', 'datadog', '-c', await config(), '--print']);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain('"logPipeline"');
    expect(r.text).toContain(`"name": "${LOG_PIPELINE_NAME}"`);
    expect(r.text).toContain('facet    path @apiName  type string');
    expect(r.text).toContain('measure  path @responseLatency  type integer');
  });
});

describe('the WSO2 log pipeline body', () => {
  it('is valid per Datadog’s LogsPipeline schema and the client reads all of it', () => {
    const body = wso2LogPipeline('apim_node');
    expect(datadogValidator('LogsPipeline')(body)).toEqual([]);
    expect(clientRoundTrip('LogsPipeline', body)).toEqual([]);
    expect(datadogValidator('LogsPipeline')({ ...body, processors: [{ type: 'grok-parser' }] })).not.toEqual(
      [],
    );
  });

  it('keeps WSO2’s filter and grok parser exactly as its guide has them', async () => {
    const theirs = JSON.parse(
      await readFile(new URL('../fixtures/datadog/wso2-log-pipeline.json', import.meta.url), 'utf8'),
    ) as { filter: unknown; processors: unknown[] };
    const ours = wso2LogPipeline('apim_node') as { filter: unknown; processors: unknown[] };
    expect(ours.filter).toEqual(theirs.filter);
    expect(ours.processors[0]).toEqual(theirs.processors[0]);
  });

  it('lists WSO2’s 17 facets and 7 measures with the attribute paths the logs carry', () => {
    expect(LOG_FACETS.map((f) => f.path)).toContain('@destination');
    expect(LOG_FACETS.find((f) => f.path === '@platform')?.displayName).toBe('Platform');
    expect(LOG_FACETS).toHaveLength(17);
    expect(LOG_MEASURES.filter((m) => m.unit === 'millisecond').map((m) => m.path)).toEqual([
      '@backendLatency',
      '@responseLatency',
      '@responseMediationLatency',
      '@requestMediationLatency',
    ]);
    expect(LOG_MEASURES).toHaveLength(7);
  });
});
