import {
  backendPercentiles,
  gatewayVsBackend,
  LATENCY_SLO_MS,
  mediationByDirection,
  responsePercentiles,
} from '../common.js';
import type { DashboardSpec } from '../dashboard.js';
import { averageOf, ENV_VARS, histogramOf, percentileOf, type TemplateVar } from '../query.js';
import { distribution, table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [...ENV_VARS, { name: 'api', tag: 'api' }];

export const latency: DashboardSpec = {
  key: 'latency',
  title: '[gax] Latency',
  summary:
    'Latency percentiles (p50, p95, p99) of the gateway (response), the backend and mediation, from the distribution metrics; per API.',
  vars,
  groups: [
    {
      title: 'Gateway (response) latency',
      widgets: [
        responsePercentiles(vars),
        distribution({
          title: 'Gateway latency distribution',
          description: 'Every `latency.response` value in the time frame, ms.',
          query: histogramOf(vars, 'latency.response'),
        }),
        toplist({
          title: 'Slowest APIs (p99)',
          description: 'The 10 APIs with the highest p99 gateway latency over the time frame, ms.',
          queries: { p99: percentileOf(vars, 'p99', 'latency.response', { by: ['api'] }) },
          formula: { formula: 'p99', alias: 'p99 ms' },
        }),
        timeseries({
          title: 'Gateway latency p95 by API',
          description: `p95 of \`latency.response\` per API, ms; the dashed line is ${LATENCY_SLO_MS} ms.`,
          queries: { p95: percentileOf(vars, 'p95', 'latency.response', { by: ['api'] }) },
          formulas: [{ formula: 'p95' }],
          markers: [{ value: `y = ${LATENCY_SLO_MS}`, label: 'SLO' }],
        }),
      ],
    },
    {
      title: 'Backend and mediation',
      widgets: [
        backendPercentiles(vars),
        gatewayVsBackend(vars),
        mediationByDirection(vars),
        distribution({
          title: 'Backend latency distribution',
          description: 'Every `latency.backend` value in the time frame, ms.',
          query: histogramOf(vars, 'latency.backend'),
        }),
      ],
    },
    {
      title: 'Per API',
      widgets: [
        table({
          title: 'Latency by API',
          description:
            'Per API and version over the time frame, ms: gateway p50 / p95 / p99 and average, backend p95.',
          queries: {
            p50: percentileOf(vars, 'p50', 'latency.response', { by: ['api', 'api_version'] }),
            p95: percentileOf(vars, 'p95', 'latency.response', { by: ['api', 'api_version'] }),
            p99: percentileOf(vars, 'p99', 'latency.response', { by: ['api', 'api_version'] }),
            average: averageOf(vars, 'latency.response', { by: ['api', 'api_version'] }),
            backend: percentileOf(vars, 'p95', 'latency.backend', { by: ['api', 'api_version'] }),
          },
          formulas: [
            { formula: 'p99', alias: 'gateway p99' },
            { formula: 'p95', alias: 'gateway p95' },
            { formula: 'p50', alias: 'gateway p50' },
            { formula: 'average', alias: 'gateway avg' },
            { formula: 'backend', alias: 'backend p95' },
          ],
        }),
      ],
    },
  ],
};
