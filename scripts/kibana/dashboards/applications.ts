import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, INTEGER, metric, PERCENT, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS, FAULTS, RESPONSES } from '../data-views.js';
import { agg, count, percentile } from '../formula.js';
import { tableLens, xyLens } from '../lens.js';
import { ERROR_RATE_DEFINITION, errorRateExpr, KQL, lensId } from './common.js';

const APP = 'applicationName.keyword';

/** Applications: traffic, errors and latency per subscribing application, with its owner. */
export const applications: DashboardSpec = {
  entry: DASHBOARDS.applications,
  description: 'Per application (applicationName, applicationOwner): requests, errors, error rate, latency.',
  rows: [
    [
      panel(
        tableLens({
          id: lensId('applications-table'),
          title: 'Applications',
          description: `Per application and owner: events, errors (${KQL.error}), error rate (${ERROR_RATE_DEFINITION}), responseLatency (ms).`,
          dataView: ALL_EVENTS,
          rows: [
            terms(APP, 25, 'Application', { other: false }),
            terms('applicationOwner.keyword', 3, 'Owner', { other: false }),
          ],
          metrics: [
            metric('Requests', count()),
            metric('Errors', count(KQL.error)),
            metric('Error rate', errorRateExpr, PERCENT),
            metric('Average latency (ms)', agg('average', 'responseLatency'), INTEGER),
            metric('p95 latency (ms)', percentile('responseLatency', 95), INTEGER),
          ],
        }),
        48,
        15,
      ),
    ],
    [
      panel(
        xyLens({
          id: lensId('traffic-by-application'),
          title: 'Traffic by Application',
          description: 'Events over time for the top 10 applications.',
          dataView: ALL_EVENTS,
          series: 'line',
          x: dateHistogram(),
          split: terms(APP, 10, 'Application'),
          y: [metric('Requests', count())],
        }),
        24,
        13,
      ),
      panel(
        xyLens({
          id: lensId('errors-by-application'),
          title: 'Errors by Application',
          description: `Error events (${KQL.error}) over time for the 10 applications with most errors.`,
          dataView: ALL_EVENTS,
          query: KQL.error,
          series: 'bar_stacked',
          x: dateHistogram(),
          split: terms(APP, 10, 'Application'),
          y: [metric('Errors', count())],
        }),
        24,
        13,
      ),
    ],
    [
      panel(
        xyLens({
          id: lensId('latency-by-application'),
          title: 'p95 Latency by Application (ms)',
          description: 'The 10 applications with the highest p95 responseLatency.',
          dataView: RESPONSES,
          series: 'bar_horizontal',
          x: terms(APP, 10, 'Application', { other: false }),
          y: [metric('p95 latency (ms)', percentile('responseLatency', 95), INTEGER)],
        }),
        24,
        14,
      ),
      panel(
        tableLens({
          id: lensId('faults-by-application'),
          title: 'Faults by Application and Category',
          description:
            'Faulty events per application, errorType and errorMessage (AUTH faults show UNKNOWN).',
          dataView: FAULTS,
          rows: [
            terms(APP, 20, 'Application', { other: false }),
            terms('errorType.keyword', 5, 'Category', { other: false }),
            terms('errorMessage.keyword', 5, 'Reason', { other: false }),
          ],
          metrics: [metric('Faults', count())],
        }),
        24,
        14,
      ),
    ],
  ],
};
