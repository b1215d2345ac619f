import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { count } from '../formula.js';
import { pieLens, tableLens, xyLens } from '../lens.js';
import { lensId } from './common.js';

const hits = metric('Hit count', count());

/** API usage over time (WSO2: area per 1 m). */
export const apiUsageOverTime = xyLens({
  id: lensId('api-usage-over-time'),
  title: 'API Usage Over Time',
  description: 'Response events over time.',
  dataView: RESPONSES,
  series: 'area',
  x: dateHistogram(),
  y: [metric('Requests', count())],
});

const usageBy = (slug: string, title: string, field: string, label: string) =>
  pieLens({
    id: lensId(slug),
    title,
    description: `Response events by the top 10 values of ${field}.`,
    dataView: RESPONSES,
    shape: 'donut',
    groups: [terms(field, 10, label)],
    metric: metric('Requests', count()),
  });

/** Ingress Traffic: usage over time, by application, by backend, by resource. */
export const ingressTraffic: DashboardSpec = {
  entry: DASHBOARDS.ingressTraffic,
  description: 'Who calls which API, resource and backend.',
  rows: [
    [panel(apiUsageOverTime, 48, 13)],
    [
      panel(
        usageBy('usage-by-application', 'API Usage By Application', 'applicationName.keyword', 'Application'),
        24,
      ),
      panel(usageBy('usage-by-backend', 'API Usage By Backend', 'destination.keyword', 'Backend'), 24),
    ],
    [
      panel(
        tableLens({
          id: lensId('traffic-resource-usage'),
          title: 'API Resource Usage Summary',
          description: 'Hits per API, resource template and HTTP method.',
          dataView: RESPONSES,
          rows: [
            terms('apiName.keyword', 20, 'API', { other: false }),
            terms('apiResourceTemplate.keyword', 20, 'Resource', { other: false }),
            terms('apiMethod.keyword', 10, 'Method', { other: false }),
          ],
          metrics: [hits],
        }),
        48,
        15,
      ),
    ],
  ],
};
