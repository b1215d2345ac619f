/** Long-range Latency, Applications and Last access dashboards (ApiExeTime, ApiUserPerAppAgg, ApiLastAccessSummary). */
import { metric, terms } from './columns.js';
import { panel } from './dashboard.js';
import { agg } from './formula.js';
import { SUMMARY_DASHBOARDS } from './summaries-catalog.js';
import {
  APP,
  avgBackend,
  avgMediation,
  avgResponse,
  count,
  DAY,
  EXE,
  id,
  LAST,
  REQ,
  requests,
  throttled,
  USERS,
} from './summaries-common.js';
import type { SummaryDashboardSpec } from './summaries-dashboard.js';
import { summaryMetric, summaryTable, summaryXy } from './summaries-lens.js';

/** Latency: average response, backend and mediation latency per API (Lens formulas). */
export const longRangeLatency: SummaryDashboardSpec = {
  entry: SUMMARY_DASHBOARDS.latency,
  description:
    'Average latencies from ApiExeTime: sum(AGG_SUM_*) / sum(AGG_COUNT), exact over any range (no percentiles: the tables keep sums only).',
  rows: [
    [
      panel(
        summaryMetric({
          id: id('avg-response'),
          title: 'Average response latency',
          description: 'sum(AGG_SUM_responseTime) / sum(AGG_COUNT) (ms)',
          dataView: EXE,
          metric: avgResponse,
        }),
        16,
        7,
      ),
      panel(
        summaryMetric({
          id: id('avg-backend'),
          title: 'Average backend latency',
          description: 'sum(AGG_SUM_backendTime) / sum(AGG_COUNT) (ms)',
          dataView: EXE,
          metric: avgBackend,
        }),
        16,
        7,
      ),
      panel(
        summaryMetric({
          id: id('avg-mediation'),
          title: 'Average mediation latency',
          description: '(sum(AGG_SUM_requestMedLat) + sum(AGG_SUM_responseMedLat)) / sum(AGG_COUNT) (ms)',
          dataView: EXE,
          metric: avgMediation,
        }),
        16,
        7,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('latency-per-day'),
          title: 'Average latencies per day',
          description: 'Response, backend and mediation latency (ms) per day.',
          dataView: EXE,
          series: 'line',
          x: DAY,
          y: [avgResponse, avgBackend, avgMediation],
        }),
        48,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('response-latency-per-api'),
          title: 'Average response latency per API per day',
          description:
            'sum(AGG_SUM_responseTime) / sum(AGG_COUNT) (ms) per day and API (first 10 APIs by name).',
          dataView: EXE,
          series: 'line',
          x: DAY,
          y: [avgResponse],
          split: terms('apiName', 10, 'API', { alphabetical: true }),
        }),
        48,
      ),
    ],
    [
      panel(
        summaryTable({
          id: id('latency-per-api'),
          title: 'Latency per API',
          description:
            'Per API (the 25 with most requests): requests and average response, backend and mediation latency (ms).',
          dataView: EXE,
          rows: [terms('apiName', 25, 'API', { other: false })],
          metrics: [count, avgResponse, avgBackend, avgMediation],
          sortBy: 1,
        }),
        48,
        14,
      ),
    ],
  ],
};

/** Applications: requests per application over time and top applications. */
export const longRangeApplications: SummaryDashboardSpec = {
  entry: SUMMARY_DASHBOARDS.applications,
  description:
    'Requests per application from ApiUserPerAppAgg (with end users) and APIM_ReqCountAgg (with throttled requests).',
  rows: [
    [
      panel(
        summaryXy({
          id: id('requests-per-application'),
          title: 'Requests per application per day',
          description: 'sum(AGG_COUNT) of ApiUserPerAppAgg per day, top 10 applications.',
          dataView: USERS,
          series: 'area_stacked',
          x: DAY,
          y: [count],
          split: APP,
        }),
        48,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('top-applications'),
          title: 'Top applications',
          description: 'APIM_ReqCountAgg: successful and throttled requests of the 10 busiest applications.',
          dataView: REQ,
          series: 'bar_horizontal',
          x: APP,
          y: [requests, throttled],
        }),
        24,
        14,
      ),
      panel(
        summaryTable({
          id: id('application-apis'),
          title: 'Requests per application and API',
          description: 'sum(AGG_COUNT) of ApiUserPerAppAgg per application and API.',
          dataView: USERS,
          rows: [
            terms('applicationName', 25, 'Application', { other: false }),
            terms('apiName', 10, 'API', { other: false }),
          ],
          metrics: [count],
        }),
        24,
        14,
      ),
    ],
    [
      panel(
        summaryTable({
          id: id('application-users'),
          title: 'Top end users',
          description: 'sum(AGG_COUNT) of ApiUserPerAppAgg per end user and application.',
          dataView: USERS,
          rows: [
            terms('username', 25, 'User', { other: false }),
            terms('applicationName', 5, 'Application', { other: false }),
          ],
          metrics: [count],
        }),
        48,
        14,
      ),
    ],
  ],
};

const lastAccess = metric('Last access', agg('max', '@timestamp'));
const lastRows = [
  terms('apiName', 500, 'API', { other: false }),
  terms('apiVersion', 10, 'Version', { other: false }),
  terms('apiCreator', 5, 'Creator', { other: false }),
];

/** Last access: when each API was last called; the APIs idle for 30 days. */
export const longRangeLastAccess: SummaryDashboardSpec = {
  entry: SUMMARY_DASHBOARDS.lastAccess,
  description:
    'When each API was last called (ApiLastAccessSummary: one document per API, @timestamp = lastAccessTime); opens on the last 2 years.',
  timeFrom: 'now-2y',
  rows: [
    [
      panel(
        summaryTable({
          id: id('last-access'),
          title: 'Last access per API',
          description: 'Latest lastAccessTime per API, version and creator, most recent first.',
          dataView: LAST,
          rows: lastRows,
          metrics: [lastAccess],
        }),
        24,
        20,
      ),
      panel(
        summaryTable({
          id: id('idle-apis'),
          title: 'APIs not called for 30 days',
          description: 'APIs whose lastAccessTime is more than 30 days ago.',
          dataView: LAST,
          query: '@timestamp < "now-30d"',
          rows: lastRows,
          metrics: [lastAccess],
        }),
        24,
        20,
      ),
    ],
  ],
};
