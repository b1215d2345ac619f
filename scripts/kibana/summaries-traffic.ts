/** Long-range Traffic and Errors dashboards (APIM_ReqCountAgg, ApiFaultyInvocationAgg, ApiThrottledOutAgg). */
import { INTEGER, metric, PERCENT, terms } from './columns.js';
import { panel } from './dashboard.js';
import { div } from './formula.js';
import { SUMMARY_DASHBOARDS } from './summaries-catalog.js';
import { API, DAY, FAULTS, id, plus, REQ, requests, sum, THROTTLED, throttled } from './summaries-common.js';
import type { SummaryDashboardSpec } from './summaries-dashboard.js';
import { summaryDonut, summaryMetric, summaryTable, summaryXy } from './summaries-lens.js';

/** Traffic: successful vs throttled requests per day, top APIs (APIM_ReqCountAgg). */
export const longRangeTraffic: SummaryDashboardSpec = {
  entry: SUMMARY_DASHBOARDS.traffic,
  description: 'Successful and throttled-out requests per day from APIM_ReqCountAgg (summary indices).',
  rows: [
    [
      panel(
        summaryMetric({
          id: id('requests'),
          title: 'Requests',
          description: 'sum(AGG_SUM_successCount)',
          dataView: REQ,
          metric: requests,
        }),
        16,
        7,
      ),
      panel(
        summaryMetric({
          id: id('throttled'),
          title: 'Throttled',
          description: 'sum(AGG_SUM_throttleCount)',
          dataView: REQ,
          metric: throttled,
        }),
        16,
        7,
      ),
      panel(
        summaryMetric({
          id: id('throttled-share'),
          title: 'Throttled share',
          description: 'throttled / (successful + throttled)',
          dataView: REQ,
          metric: metric(
            'Throttled share',
            div(
              sum('AGG_SUM_throttleCount'),
              plus(sum('AGG_SUM_successCount'), sum('AGG_SUM_throttleCount')),
            ),
            PERCENT,
          ),
        }),
        16,
        7,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('requests-vs-throttled'),
          title: 'Requests vs throttled per day',
          description: 'AGG_SUM_successCount and AGG_SUM_throttleCount summed per day.',
          dataView: REQ,
          series: 'line',
          x: DAY,
          y: [requests, throttled],
        }),
        48,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('top-apis'),
          title: 'Top APIs',
          description: 'The 10 APIs with the most successful requests, with their throttled requests.',
          dataView: REQ,
          series: 'bar_horizontal',
          x: API,
          y: [requests, throttled],
        }),
        24,
        14,
      ),
      panel(
        summaryTable({
          id: id('api-versions'),
          title: 'Requests per API version',
          description: 'Per API and version: successful and throttled requests.',
          dataView: REQ,
          rows: [
            terms('apiName', 25, 'API', { other: false }),
            terms('apiVersion', 5, 'Version', { other: false }),
          ],
          metrics: [requests, throttled],
        }),
        24,
        14,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('requests-per-api'),
          title: 'Requests per API per day',
          description: 'AGG_SUM_successCount per day, top 10 APIs.',
          dataView: REQ,
          series: 'bar_stacked',
          x: DAY,
          y: [requests],
          split: API,
        }),
        48,
      ),
    ],
  ],
};

const faults = metric('Faults', sum('AGG_COUNT'), INTEGER);
const throttledOut = metric('Throttled out', sum('AGG_COUNT'), INTEGER);
const REASON = terms('throttledOutReason', 10, 'Reason');

/** Errors: faults per API and throttled requests per reason. */
export const longRangeErrors: SummaryDashboardSpec = {
  entry: SUMMARY_DASHBOARDS.errors,
  description:
    'Faulty requests (ApiFaultyInvocationAgg) and throttled-out requests by reason (ApiThrottledOutAgg) per day.',
  rows: [
    [
      panel(
        summaryMetric({
          id: id('faults'),
          title: 'Faults',
          description: 'sum(AGG_COUNT) of ApiFaultyInvocationAgg: faulty requests other than THROTTLED.',
          dataView: FAULTS,
          metric: faults,
        }),
        24,
        7,
      ),
      panel(
        summaryMetric({
          id: id('throttled-out'),
          title: 'Throttled out',
          description: 'sum(AGG_COUNT) of ApiThrottledOutAgg.',
          dataView: THROTTLED,
          metric: throttledOut,
        }),
        24,
        7,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('faults-per-api'),
          title: 'Faults per API per day',
          description: 'sum(AGG_COUNT) per day, top 10 APIs.',
          dataView: FAULTS,
          series: 'bar_stacked',
          x: DAY,
          y: [faults],
          split: API,
        }),
        48,
      ),
    ],
    [
      panel(
        summaryXy({
          id: id('throttled-per-reason'),
          title: 'Throttled per reason per day',
          description: 'sum(AGG_COUNT) per day and throttledOutReason.',
          dataView: THROTTLED,
          series: 'bar_stacked',
          x: DAY,
          y: [throttledOut],
          split: REASON,
        }),
        24,
      ),
      panel(
        summaryDonut({
          id: id('throttled-reasons'),
          title: 'Throttled by reason',
          description: 'sum(AGG_COUNT) per throttledOutReason.',
          dataView: THROTTLED,
          group: REASON,
          metric: throttledOut,
        }),
        24,
      ),
    ],
    [
      panel(
        summaryTable({
          id: id('faults-per-application'),
          title: 'Faults per API and application',
          description: 'sum(AGG_COUNT) per API and application.',
          dataView: FAULTS,
          rows: [
            terms('apiName', 25, 'API', { other: false }),
            terms('applicationName', 10, 'Application', { other: false }),
          ],
          metrics: [faults],
        }),
        24,
        14,
      ),
      panel(
        summaryTable({
          id: id('throttled-per-application'),
          title: 'Throttled per application and reason',
          description: 'sum(AGG_COUNT) per application and throttledOutReason.',
          dataView: THROTTLED,
          rows: [
            terms('applicationName', 25, 'Application', { other: false }),
            terms('throttledOutReason', 10, 'Reason', { other: false }),
          ],
          metrics: [throttledOut],
        }),
        24,
        14,
      ),
    ],
  ],
};
