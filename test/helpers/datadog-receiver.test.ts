import { gzipSync } from 'node:zlib';
import { client, logger, v1, v2 } from '@datadog/datadog-api-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DatadogReceiver, startDatadogReceiver } from './datadog-receiver.js';

const API_KEY = 'test-api-key';
const APP_KEY = 'test-app-key';

let receiver: DatadogReceiver;
let previousLogLevel: number;

beforeAll(async () => {
  receiver = await startDatadogReceiver({ apiKey: API_KEY, appKey: APP_KEY });
  // The client logs every failed HTTP request at error level; the fault tests cause them on purpose.
  previousLogLevel = logger.getLevel();
  logger.setLevel('silent');
});

afterAll(async () => {
  logger.setLevel(previousLogLevel);
  await receiver.close();
});

afterEach(() => {
  receiver.clear();
  receiver.reset();
});

type ConfigurationParameters = NonNullable<Parameters<typeof client.createConfiguration>[0]>;

function configuration(overrides: ConfigurationParameters = {}): client.Configuration {
  return client.createConfiguration({
    authMethods: { apiKeyAuth: API_KEY, appKeyAuth: APP_KEY },
    baseServer: new client.BaseServerConfiguration(receiver.url, {}),
    ...overrides,
  });
}

const now = () => Math.floor(Date.now() / 1000);

function countSeries(value = 3): v2.MetricPayload {
  return {
    series: [
      {
        metric: 'gax.requests',
        type: 1,
        interval: 10,
        points: [{ timestamp: now(), value }],
        tags: ['api:PizzaAPI', 'env:test'],
        resources: [{ name: 'gw-1', type: 'host' }],
      },
    ],
  };
}

async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'dd-api-key': API_KEY, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

/** The rejection of `promise` (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const DASHBOARD_JSON = {
  title: 'gax: API traffic',
  layout_type: 'ordered',
  widgets: [
    {
      definition: {
        type: 'timeseries',
        requests: [
          {
            response_format: 'timeseries',
            queries: [{ data_source: 'metrics', name: 'q1', query: 'sum:gax.requests{*}.as_count()' }],
            formulas: [{ formula: 'q1' }],
            display_type: 'bars',
          },
        ],
      },
    },
  ],
};

describe('the Datadog receiver with the real API client: intake', () => {
  it('records a gzip-compressed v2 count series with the API key and answers 202 {errors: []}', async () => {
    const payload = countSeries(7);
    const result = await new v2.MetricsApi(configuration()).submitMetrics({
      body: payload,
      contentEncoding: 'gzip',
    });

    expect(result.errors).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/v2/series');
    expect(req?.headers['dd-api-key']).toBe(API_KEY);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['content-encoding']).toBe('gzip');
    expect(req?.headers['dd-application-key']).toBeUndefined();
    // Compressed by the client (pako): smaller than the JSON, within a few bytes of zlib's gzip.
    expect(req?.rawBytes).toBeLessThan(JSON.stringify(payload).length);
    expect(Math.abs((req?.rawBytes ?? 0) - gzipSync(JSON.stringify(payload)).length)).toBeLessThan(16);
    expect(req?.body).toEqual(payload);
    expect(req?.problems).toEqual([]);
    expect(req?.status).toBe(202);
  });

  it('records v1 distribution points as text/json [timestamp, [values]] tuples, deflated on request', async () => {
    const ts = now();
    const result = await new v1.MetricsApi(configuration()).submitDistributionPoints({
      body: { series: [{ metric: 'gax.latency', points: [[ts, [12.5, 40, 3]]], tags: ['api:PizzaAPI'] }] },
      contentEncoding: 'deflate',
    });

    expect(result.status).toBe('ok');
    const [req] = receiver.requests;
    expect(req?.path).toBe('/api/v1/distribution_points');
    expect(req?.headers['content-type']).toBe('text/json');
    expect(req?.headers['content-encoding']).toBe('deflate');
    expect(req?.body).toEqual({
      series: [{ metric: 'gax.latency', points: [[ts, [12.5, 40, 3]]], tags: ['api:PizzaAPI'] }],
    });
    expect(req?.problems).toEqual([]);
  });

  it('records v1 series as text/json [timestamp, value] tuples with the metric type as a string', async () => {
    const ts = now();
    await new v1.MetricsApi(configuration()).submitMetrics({
      body: { series: [{ metric: 'gax.requests', type: 'count', interval: 10, points: [[ts, 2]] }] },
    });
    const [req] = receiver.requests;
    expect(req?.path).toBe('/api/v1/series');
    expect(req?.headers['content-type']).toBe('text/json');
    expect(req?.headers['content-encoding']).toBeUndefined();
    expect(req?.body).toEqual({
      series: [{ metric: 'gax.requests', type: 'count', interval: 10, points: [[ts, 2]] }],
    });
    expect(req?.problems).toEqual([]);
  });

  it('receives v2 logs here although submitLog has its own intake host, because baseServer overrides it', async () => {
    const conf = configuration();
    // getUrl() is public at runtime, private in the typings.
    const urlOf = (s: client.BaseServerConfiguration) => (s as unknown as { getUrl(): string }).getUrl();
    expect(conf.getServer('v2.LogsApi.submitLog')).toBe(conf.baseServer);
    expect(urlOf(conf.getServer('v2.LogsApi.submitLog'))).toBe(receiver.url);
    expect(urlOf(client.createConfiguration({ authMethods: {} }).getServer('v2.LogsApi.submitLog'))).toBe(
      'https://http-intake.logs.datadoghq.com',
    );

    const body: v2.HTTPLogItem[] = [
      {
        message: 'GET /pizzashack/1.0.0/menu 200',
        ddsource: 'gax',
        ddtags: 'env:test,api:PizzaShackAPI',
        hostname: 'gw-1',
        service: 'wso2-apim',
        additionalProperties: { http: { status_code: 200 }, duration: 12 },
      },
    ];
    const result = await new v2.LogsApi(conf).submitLog({
      body,
      contentEncoding: 'gzip',
      ddtags: 'source:gax',
    });

    expect(result).toEqual({});
    const [req] = receiver.requests;
    expect(req?.path).toBe('/api/v2/logs');
    expect(req?.query.get('ddtags')).toBe('source:gax');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['content-encoding']).toBe('gzip');
    expect(req?.headers['dd-api-key']).toBe(API_KEY);
    // additionalProperties are flattened into the item.
    expect(req?.body).toEqual([
      {
        message: 'GET /pizzashack/1.0.0/menu 200',
        ddsource: 'gax',
        ddtags: 'env:test,api:PizzaShackAPI',
        hostname: 'gw-1',
        service: 'wso2-apim',
        http: { status_code: 200 },
        duration: 12,
      },
    ]);
    expect(req?.problems).toEqual([]);
    expect(req?.status).toBe(202);
  });

  it('validates the API key: valid with the right key, 403 Forbidden otherwise', async () => {
    expect((await new v1.AuthenticationApi(configuration()).validate()).valid).toBe(true);
    const wrong = configuration({ authMethods: { apiKeyAuth: 'nope' } });
    const err = await rejectionOf(new v1.AuthenticationApi(wrong).validate());
    expect(err).toBeInstanceOf(client.ApiException);
    expect((err as client.ApiException<v1.APIErrorResponse>).code).toBe(403);
    expect((err as client.ApiException<v1.APIErrorResponse>).body.errors).toEqual(['Forbidden']);
  });

  it('refuses series sent with a wrong API key with 403 and still records them', async () => {
    const wrong = configuration({ authMethods: { apiKeyAuth: 'nope' } });
    const err = await rejectionOf(new v2.MetricsApi(wrong).submitMetrics({ body: countSeries() }));
    expect((err as client.ApiException<v2.APIErrorResponse>).code).toBe(403);
    expect((err as client.ApiException<v2.APIErrorResponse>).body.errors).toEqual(['Forbidden']);
    expect(receiver.requests.map((r) => [r.path, r.status, r.headers['dd-api-key']])).toEqual([
      ['/api/v2/series', 403, 'nope'],
    ]);
  });

  it('answers a missing API key on the logs intake with 401, as the logs docs say', async () => {
    const res = await fetch(`${receiver.url}/api/v2/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ message: 'x' }]),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      errors: [{ status: '401', title: 'Unauthorized', detail: 'Unauthorized' }],
    });
  });
});

describe('the Datadog receiver: invalid bodies and limits', () => {
  it('answers a hand-made invalid v2 series with 400 listing the schema problems', async () => {
    const res = await rawPost('/api/v2/series', {
      series: [{ metric: 'gax.requests', points: [{ timestamp: now(), value: 'high' }], colour: 'red' }],
    });
    expect(res.status).toBe(400);
    const expected = [
      "/series/0 must NOT have additional properties: 'colour'",
      '/series/0/points/0/value must be number',
    ];
    expect(await res.json()).toEqual({ errors: expected });
    expect(receiver.requests[0]?.problems).toEqual(expected);
  });

  it('answers a log item without message with 400 in the logs intake error shape', async () => {
    const res = await rawPost('/api/v2/logs', [{ ddsource: 'gax' }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ status: '400', title: 'Bad Request', detail: "/0 must have required property 'message'" }],
    });
  });

  it('answers a body that is not JSON or not valid gzip with 400', async () => {
    expect((await rawPost('/api/v2/series', '{"series": [')).status).toBe(400);
    expect(receiver.requests[0]?.problems[0]).toMatch(/^body is not JSON/);
    const res = await rawPost('/api/v2/series', 'plain text', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(receiver.requests[1]?.problems[0]).toMatch(/^body is not valid gzip/);
  });

  it('refuses an invalid dashboard with 400 and does not store it', async () => {
    const res = await rawPost(
      '/api/v1/dashboard',
      { ...DASHBOARD_JSON, layout_type: 'grid' },
      { 'dd-application-key': APP_KEY },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: ['/layout_type must be equal to one of the allowed values: "ordered", "free"'],
    });
    expect(receiver.dashboards.size).toBe(0);
  });

  it('answers 413 for a v2 series over 512000 bytes on the wire', async () => {
    const tags = Array.from({ length: 6000 }, (_, i) => `tag${i}:${'x'.repeat(80)}`);
    const body = { series: [{ metric: 'gax.big', points: [{ timestamp: now(), value: 1 }], tags }] };
    expect(JSON.stringify(body).length).toBeGreaterThan(512_000);
    const res = await rawPost('/api/v2/series', body);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: ['Payload too large'] });
  });

  it('answers 413 for a gzip v2 series that decompresses beyond 5 MiB', async () => {
    const body = {
      series: [{ metric: 'gax.big', points: [{ timestamp: now(), value: 1 }], tags: ['x'.repeat(6e6)] }],
    };
    const compressed = gzipSync(JSON.stringify(body));
    expect(compressed.length).toBeLessThan(512_000);
    const res = await rawPost('/api/v2/series', compressed, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(receiver.requests[0]?.problems[0]).toMatch(/decompresses to more than 5242880 bytes/);
  });

  it('answers 413 through the client for more than 1000 log items', async () => {
    const body = Array.from({ length: 1001 }, (_, i) => ({ message: `line ${i}` }));
    const err = await rejectionOf(new v2.LogsApi(configuration()).submitLog({ body }));
    expect((err as client.ApiException<v2.HTTPLogErrors>).code).toBe(413);
    expect((err as client.ApiException<v2.HTTPLogErrors>).body.errors?.[0]?.title).toBe('Payload Too Large');
  });

  it('accepts a log entry over 1 MB like Datadog (which truncates it) but records a problem', async () => {
    await new v2.LogsApi(configuration()).submitLog({ body: [{ message: 'x'.repeat(1_100_000) }] });
    expect(receiver.requests[0]?.status).toBe(202);
    expect(receiver.requests[0]?.problems).toEqual([
      '/0 is 1100014 bytes, over the 1 MB entry limit (Datadog truncates it)',
    ]);
  });
});

describe('the Datadog receiver: dashboards and monitors', () => {
  it('creates, lists, reads, updates and deletes a dashboard through the client', async () => {
    const api = new v1.DashboardsApi(configuration());
    // Bundled dashboards are snake_case JSON; the client wants its camelCase model.
    const model = v1.ObjectSerializer.deserialize(DASHBOARD_JSON, 'Dashboard', '') as v1.Dashboard;
    const created = await api.createDashboard({ body: model });

    expect(created.id).toMatch(/^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$/);
    const id = created.id as string;
    expect(created.url).toBe(`/dashboard/${id}/gax-api-traffic`);
    const post = receiver.requests[0];
    expect(post?.headers['dd-api-key']).toBe(API_KEY);
    expect(post?.headers['dd-application-key']).toBe(APP_KEY);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.body).toEqual(DASHBOARD_JSON);
    expect(post?.problems).toEqual([]);
    expect([...receiver.dashboards.keys()]).toEqual([id]);

    const list = await api.listDashboards();
    expect(list.dashboards?.map((d) => [d.id, d.title])).toEqual([[id, 'gax: API traffic']]);

    await api.updateDashboard({ dashboardId: id, body: { ...model, title: 'gax: traffic v2' } });
    expect((await api.getDashboard({ dashboardId: id })).title).toBe('gax: traffic v2');
    expect(receiver.requests.at(-2)?.method).toBe('PUT');
    expect(receiver.requests.at(-2)?.path).toBe(`/api/v1/dashboard/${id}`);

    expect((await api.deleteDashboard({ dashboardId: id })).deletedDashboardId).toBe(id);
    expect(receiver.dashboards.size).toBe(0);
    const err = await rejectionOf(api.getDashboard({ dashboardId: id }));
    expect((err as client.ApiException<unknown>).code).toBe(404);
  });

  it('refuses dashboard calls without the configured application key', async () => {
    const noAppKey = configuration({ authMethods: { apiKeyAuth: API_KEY } });
    const err = await rejectionOf(new v1.DashboardsApi(noAppKey).listDashboards());
    expect((err as client.ApiException<v1.APIErrorResponse>).code).toBe(403);
    expect(receiver.requests[0]?.headers['dd-application-key']).toBeUndefined();
  });

  it('creates monitors with numeric ids, filters the list by name, updates and deletes them', async () => {
    const api = new v1.MonitorsApi(configuration());
    const created = await api.createMonitor({
      body: {
        name: 'gax: error rate high',
        type: 'query alert',
        query: 'sum(last_5m):sum:gax.errors{*}.as_count() > 10',
        message: 'Errors are high',
        tags: ['managed-by:gax'],
        options: { thresholds: { critical: 10 }, notifyNoData: false },
      },
    });
    await api.createMonitor({
      body: { name: 'other team monitor', type: 'metric alert', query: 'avg(last_5m):avg:x{*} > 1' },
    });

    expect(typeof created.id).toBe('number');
    const id = created.id as number;
    expect(created.overallState).toBe('No Data');
    expect(receiver.requests[0]?.body).toMatchObject({ options: { notify_no_data: false } });
    expect(receiver.requests[0]?.problems).toEqual([]);
    expect(receiver.monitors.size).toBe(2);

    const mine = await api.listMonitors({ name: 'gax:' });
    expect(mine.map((m) => m.id)).toEqual([id]);
    expect(receiver.requests.at(-1)?.query.get('name')).toBe('gax:');

    const updated = await api.updateMonitor({
      monitorId: id,
      body: { query: 'sum(last_5m):sum:gax.errors{*} > 20' },
    });
    expect(updated.query).toBe('sum(last_5m):sum:gax.errors{*} > 20');
    expect(updated.name).toBe('gax: error rate high');
    expect((await api.getMonitor({ monitorId: id })).query).toBe('sum(last_5m):sum:gax.errors{*} > 20');

    expect((await api.deleteMonitor({ monitorId: id })).deletedMonitorId).toBe(id);
    expect([...receiver.monitors.keys()]).not.toContain(id);
  });

  it('refuses a monitor without query with 400 naming the missing field', async () => {
    const res = await rawPost(
      '/api/v1/monitor',
      { name: 'n', type: 'query alert', message: 'm' },
      { 'dd-application-key': APP_KEY },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: ["/ must have required property 'query'"] });
    expect(receiver.monitors.size).toBe(0);
  });

  it('validates a monitor without storing it', async () => {
    const api = new v1.MonitorsApi(configuration());
    await api.validateMonitor({ body: { type: 'query alert', query: 'avg(last_5m):avg:x{*} > 1' } });
    expect(receiver.requests[0]?.path).toBe('/api/v1/monitor/validate');
    expect(receiver.requests[0]?.status).toBe(200);
    // The client itself refuses a missing required field before sending anything.
    const err = await rejectionOf(api.validateMonitor({ body: { type: 'query alert' } as v1.Monitor }));
    expect(err).not.toBeInstanceOf(client.ApiException);
    expect((err as Error).message).toBe("missing required property 'query'");
    expect(receiver.requests).toHaveLength(1);
    const res = await rawPost(
      '/api/v1/monitor/validate',
      { type: 'query alert' },
      { 'dd-application-key': APP_KEY },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: ["/ must have required property 'query'"] });
    expect(receiver.monitors.size).toBe(0);
  });

  it('forgets stored objects and requests on reset', async () => {
    await new v1.DashboardsApi(configuration()).createDashboard({
      body: v1.ObjectSerializer.deserialize(DASHBOARD_JSON, 'Dashboard', '') as v1.Dashboard,
    });
    expect(receiver.dashboards.size).toBe(1);
    receiver.reset();
    expect(receiver.dashboards.size).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('the Datadog receiver: injected faults', () => {
  const RATE_LIMIT_HEADERS = {
    'X-RateLimit-Limit': '100',
    'X-RateLimit-Period': '10',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': '7',
    'X-RateLimit-Name': 'metrics_intake',
  };

  it('answers 429 once; a client without retry gets an ApiException with code and body but no headers', async () => {
    receiver.inject(
      { kind: 'status', status: 429, headers: RATE_LIMIT_HEADERS, body: { errors: ['Too many requests'] } },
      { times: 1 },
    );
    const api = new v2.MetricsApi(configuration({ enableRetry: false }));

    const err = await rejectionOf(api.submitMetrics({ body: countSeries() }));
    expect(err).toBeInstanceOf(client.ApiException);
    const apiErr = err as client.ApiException<v2.APIErrorResponse>;
    expect(apiErr.code).toBe(429);
    expect(apiErr.body.errors).toEqual(['Too many requests']);
    expect(Object.keys(apiErr).sort()).toEqual(['body', 'code']);

    await api.submitMetrics({ body: countSeries() });
    expect(receiver.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, 'status'],
      [202, undefined],
    ]);
  });

  it('exposes the rate-limit headers to a fetch passed to createConfiguration', async () => {
    receiver.inject({ kind: 'status', status: 429, headers: RATE_LIMIT_HEADERS }, { times: 1 });
    let seen: Headers | undefined;
    const conf = configuration({
      fetch: async (url: string, init: RequestInit) => {
        const res = await fetch(url, init);
        seen = res.headers;
        return res;
      },
    });

    const err = await rejectionOf(
      new v2.MetricsApi(conf).submitMetrics({ body: countSeries(), contentEncoding: 'gzip' }),
    );
    expect((err as client.ApiException<v2.APIErrorResponse>).body.errors).toEqual(['Too Many Requests']);
    expect(seen?.get('x-ratelimit-reset')).toBe('7');
    expect(seen?.get('x-ratelimit-name')).toBe('metrics_intake');
    // The custom fetch (Node's own) sent the same gzip body.
    expect(receiver.requests[0]?.headers['content-encoding']).toBe('gzip');
    expect(receiver.requests[0]?.problems).toEqual([]);
  });

  it('lets a client with enableRetry wait X-RateLimit-Reset seconds and succeed on the retry', async () => {
    receiver.inject(
      { kind: 'status', status: 429, headers: { ...RATE_LIMIT_HEADERS, 'X-RateLimit-Reset': '1' } },
      { times: 1 },
    );
    const started = Date.now();
    await new v2.MetricsApi(configuration({ enableRetry: true })).submitMetrics({ body: countSeries() });
    const elapsed = Date.now() - started;

    expect(receiver.requests.map((r) => r.status)).toEqual([429, 202]);
    // 1 s from the header, not the 2 s default backoff.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(1900);
  });

  it('makes the client call fail with a connection reset, without answering', async () => {
    receiver.inject({ kind: 'reset' }, { times: 1 });
    const api = new v2.MetricsApi(configuration());

    const err = (await rejectionOf(api.submitMetrics({ body: countSeries() }))) as Error & { code?: string };
    expect(err).not.toBeInstanceOf(client.ApiException);
    expect(err.name).toBe('FetchError');
    expect(err.code).toBe('ECONNRESET');
    expect(receiver.requests[0]?.fault).toBe('reset');
    expect(receiver.requests[0]?.status).toBeUndefined();
    // The body was still read and checked.
    expect(receiver.requests[0]?.problems).toEqual([]);

    await api.submitMetrics({ body: countSeries() });
    expect(receiver.requests[1]?.status).toBe(202);
  });

  it('delays the answer; an aborting client gives up while the receiver still applies the request', async () => {
    receiver.inject({ kind: 'delay', ms: 400 }, { path: '/api/v1/dashboard', times: 1 });
    const impatient = configuration({ httpConfig: { signal: AbortSignal.timeout(100) } });
    const model = v1.ObjectSerializer.deserialize(DASHBOARD_JSON, 'Dashboard', '') as v1.Dashboard;

    const err = (await rejectionOf(
      new v1.DashboardsApi(impatient).createDashboard({ body: model }),
    )) as Error;
    expect(err.name).toBe('AbortError');
    expect(receiver.dashboards.size).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.dashboards.size).toBe(1);
    expect(receiver.requests[0]?.status).toBe(200);
  });

  it('delays intake answers by the given time for a patient client', async () => {
    receiver.inject({ kind: 'delay', ms: 200 });
    const started = Date.now();
    await new v2.MetricsApi(configuration()).submitMetrics({ body: countSeries() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(receiver.requests[0]?.fault).toBe('delay');
  });

  it('applies a fault only to its path and only the given number of times', async () => {
    receiver.inject({ kind: 'status', status: 503 }, { path: '/api/v2/logs', times: 2 });
    const metrics = new v2.MetricsApi(configuration());
    const logs = new v2.LogsApi(configuration());

    await metrics.submitMetrics({ body: countSeries() });
    for (let i = 0; i < 2; i++) {
      const err = await rejectionOf(logs.submitLog({ body: [{ message: `attempt ${i}` }] }));
      expect((err as client.ApiException<v2.HTTPLogErrors>).code).toBe(503);
    }
    await logs.submitLog({ body: [{ message: 'attempt 2' }] });

    expect(receiver.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/v2/series 202',
      '/api/v2/logs 503',
      '/api/v2/logs 503',
      '/api/v2/logs 202',
    ]);
  });

  it("applies a fault injected for path '*' to every route", async () => {
    receiver.inject({ kind: 'status', status: 503 }, { path: '*' });
    const err = await rejectionOf(new v1.AuthenticationApi(configuration()).validate());
    expect((err as client.ApiException<unknown>).code).toBe(503);
    expect(receiver.requests[0]?.fault).toBe('status');
  });

  it('leaves dashboard routes alone when a fault is injected with the default (intake) paths', async () => {
    receiver.inject({ kind: 'status', status: 500 });
    const list = await new v1.DashboardsApi(configuration()).listDashboards();
    expect(list.dashboards).toEqual([]);
    const err = await rejectionOf(new v2.MetricsApi(configuration()).submitMetrics({ body: countSeries() }));
    expect((err as client.ApiException<unknown>).code).toBe(500);
  });
});
