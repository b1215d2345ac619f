import { describe, expect, it } from 'vitest';
import { clientRoundTrip, datadogValidator } from './datadog-spec.js';

const dashboard = () => ({
  title: 'gax: API traffic',
  description: 'Requests per API',
  layout_type: 'ordered',
  widgets: [
    {
      definition: {
        type: 'timeseries',
        title: 'Requests',
        requests: [
          {
            response_format: 'timeseries',
            queries: [
              { data_source: 'metrics', name: 'q1', query: 'sum:gax.requests{*} by {api}.as_count()' },
            ],
            formulas: [{ formula: 'q1' }],
            display_type: 'bars',
          },
        ],
      },
    },
    {
      definition: {
        type: 'group',
        title: 'Notes',
        layout_type: 'ordered',
        widgets: [{ definition: { type: 'note', content: 'Exported by gax' } }],
      },
    },
  ],
});

const monitor = () => ({
  name: 'gax: error rate high on {{api.name}}',
  type: 'query alert',
  query: 'sum(last_5m):sum:gax.errors{*} by {api}.as_count() > 10',
  message: 'Errors are high. @ops',
  tags: ['managed-by:gax'],
  options: { thresholds: { critical: 10, warning: 5 }, notify_no_data: false },
});

const validateDashboard = datadogValidator('Dashboard');
const validateMonitor = datadogValidator('Monitor');

describe('Datadog v1 spec validators', () => {
  it('accept a minimal dashboard with a formula timeseries and a nested group', () => {
    expect(validateDashboard(dashboard())).toEqual([]);
  });

  it('accept a minimal query-alert monitor', () => {
    expect(validateMonitor(monitor())).toEqual([]);
  });

  it('reject layout_type grid naming the field and the allowed values', () => {
    expect(validateDashboard({ ...dashboard(), layout_type: 'grid' })).toEqual([
      '/layout_type must be equal to one of the allowed values: "ordered", "free"',
    ]);
  });

  it('reject a monitor without query with one readable message', () => {
    const { query: _query, ...noQuery } = monitor();
    expect(validateMonitor(noQuery)).toEqual(["/ must have required property 'query'"]);
  });

  it('report an unknown widget type as one error on its type instead of oneOf noise', () => {
    const problems = validateDashboard({ ...dashboard(), widgets: [{ definition: { type: 'sparkline' } }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^\/widgets\/0\/definition\/type must be equal to one of the allowed values: .*"timeseries"/,
    );
  });

  it('report a bad field of a known widget at its own path', () => {
    const d = dashboard();
    const request = d.widgets[0]?.definition.requests?.[0];
    if (request) request.display_type = 'pie';
    expect(validateDashboard(d)).toEqual([
      '/widgets/0/definition/requests/0/display_type must be equal to one of the allowed values: "area", "bars", "line", "overlay"',
    ]);
  });

  it('report problems inside group widgets and formula queries with their paths', () => {
    const d = dashboard();
    const group = d.widgets[1]?.definition;
    if (group?.widgets)
      group.widgets = [{ definition: { type: 'note' } as { type: string; content: string } }];
    const query = d.widgets[0]?.definition.requests?.[0]?.queries[0] as Record<string, unknown>;
    delete query.query;
    expect(validateDashboard(d)).toEqual([
      "/widgets/0/definition/requests/0/queries/0 must have required property 'query'",
      "/widgets/1/definition/widgets/0/definition must have required property 'content'",
    ]);
  });

  it('reject a wrong primitive type and accept null where the spec says nullable', () => {
    expect(validateDashboard({ ...dashboard(), title: 42 })).toEqual(['/title must be string']);
    expect(validateDashboard({ ...dashboard(), description: null })).toEqual([]);
  });

  it('check v1 series points as [timestamp, value] and distribution points as [timestamp, [values]]', () => {
    const series = datadogValidator('MetricsPayload');
    expect(
      series({ series: [{ metric: 'gax.requests', points: [[1_700_000_000, 3]], type: 'count' }] }),
    ).toEqual([]);
    expect(series({ series: [{ metric: 'gax.requests', points: [[1_700_000_000]] }] })).toEqual([
      '/series/0/points/0 must NOT have fewer than 2 items',
    ]);
    const dist = datadogValidator('DistributionPointsPayload');
    expect(dist({ series: [{ metric: 'gax.latency', points: [[1_700_000_000, [12.5, 40]]] }] })).toEqual([]);
    expect(dist({ series: [{ metric: 'gax.latency', points: [[1_700_000_000, 'slow']] }] })).not.toEqual([]);
  });
});

describe('Datadog v2 intake validators', () => {
  const validSeries = {
    series: [
      {
        metric: 'gax.requests',
        type: 1,
        interval: 10,
        points: [{ timestamp: 1_700_000_000, value: 3 }],
        tags: ['api:PizzaAPI'],
        unit: 'request',
        resources: [{ name: 'gw-1', type: 'host' }],
        source_type_name: 'gax',
        metadata: { origin: { metric_type: 1, product: 2, service: 3 } },
      },
    ],
  };

  it('accept a count series using every documented field', () => {
    expect(datadogValidator('v2/MetricPayload')(validSeries)).toEqual([]);
  });

  it('reject unknown series keys, string values, unknown types and missing points', () => {
    const problems = datadogValidator('v2/MetricPayload')({
      series: [
        { metric: 'a', points: [{ timestamp: 1, value: '3' }], colour: 'red' },
        { metric: 'b', type: 4, points: [{ timestamp: 1.5, value: 1, extra: 1 }] },
        { metric: 'c' },
      ],
    });
    expect(problems).toEqual([
      "/series/0 must NOT have additional properties: 'colour'",
      '/series/0/points/0/value must be number',
      '/series/1/type must be equal to one of the allowed values: 0, 1, 2, 3',
      "/series/1/points/0 must NOT have additional properties: 'extra'",
      '/series/1/points/0/timestamp must be integer',
      "/series/2 must have required property 'points'",
    ]);
  });

  it('accept log items with extra attributes and reject items without message or with list ddtags', () => {
    const logs = datadogValidator('v2/HTTPLog');
    expect(
      logs([
        { message: 'GET /pizza 200', ddsource: 'gax', ddtags: 'env:test,api:pizza', http: { status: 200 } },
      ]),
    ).toEqual([]);
    expect(logs([{ ddsource: 'gax' }, { message: 'x', ddtags: ['env:test'] }])).toEqual([
      "/0 must have required property 'message'",
      '/1/ddtags must be string',
    ]);
    expect(logs({ message: 'not an array' })).toEqual(['/ must be array']);
  });

  it('reject more than 1000 log items', () => {
    const items = Array.from({ length: 1001 }, (_, i) => ({ message: `m${i}` }));
    expect(datadogValidator('v2/HTTPLog')(items)).toEqual(['/ must NOT have more than 1000 items']);
  });
});

describe('clientRoundTrip (the client ObjectSerializer as second validator)', () => {
  it('finds nothing wrong with the minimal dashboard and monitor', () => {
    expect(clientRoundTrip('Dashboard', dashboard())).toEqual([]);
    expect(clientRoundTrip('Monitor', monitor())).toEqual([]);
  });

  it('reports an enum value the client does not know, with the JSON path', () => {
    expect(clientRoundTrip('Dashboard', { ...dashboard(), layout_type: 'grid' })).toEqual([
      '/layout_type not understood by the client: "grid"',
    ]);
  });

  it('reports an unknown widget type as an unparsed definition', () => {
    expect(
      clientRoundTrip('Dashboard', { ...dashboard(), widgets: [{ definition: { type: 'sparkline' } }] }),
    ).toEqual(['/widgets/0/definition not understood by the client: {"type":"sparkline"}']);
  });

  it('reports a monitor without query as a deserialization failure', () => {
    const { query: _query, ...noQuery } = monitor();
    expect(clientRoundTrip('Monitor', noQuery)).toEqual([
      "/ the client cannot deserialize this Monitor: missing required property 'query'",
    ]);
  });

  it('reports unknown keys unless told to ignore them', () => {
    const d = { ...dashboard(), colour: 'red' };
    expect(clientRoundTrip('Dashboard', d)).toEqual([
      '/colour unknown property (kept in additionalProperties)',
    ]);
    expect(clientRoundTrip('Dashboard', d, { unknownProperties: 'ignore' })).toEqual([]);
  });
});
