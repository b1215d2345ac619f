import { DASHBOARDS } from '../catalog.js';
import { type Bucket, dateHistogram, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { RESPONSES } from '../data-views.js';
import { agg, count } from '../formula.js';
import { pieLens, tableLens, xyLens } from '../lens.js';
import { lensId } from './common.js';

const API = terms('apiName.keyword', 20, 'API', { other: false });
const VERSION = terms('apiVersion.keyword', 10, 'Version', { other: false });

const summary = (slug: string, title: string, rows: Bucket[], hitsLabel = 'Hits') =>
  tableLens({
    id: lensId(slug),
    title,
    description: `${hitsLabel} (response events) per ${rows.map((r) => (r.kind === 'terms' ? r.label : '')).join(', ')}.`,
    dataView: RESPONSES,
    rows,
    metrics: [metric(hitsLabel, count())],
  });

const creators = (
  slug: string,
  title: string,
  owner: string,
  ownerLabel: string,
  owned: string,
  ownedLabel: string,
) =>
  pieLens({
    id: lensId(slug),
    title,
    description: `Top 5 ${ownerLabel.toLowerCase()}s by the number of distinct ${ownedLabel.toLowerCase()}s called.`,
    dataView: RESPONSES,
    shape: 'donut',
    groups: [terms(owner, 5, ownerLabel)],
    metric: metric(`${ownedLabel}s`, agg('unique_count', owned)),
  });

/** Ingress API Analytics: usage per API, version, application, backend and resource. */
export const ingressApis: DashboardSpec = {
  entry: DASHBOARDS.ingressApis,
  description: 'Usage of each API by version, application, backend and resource; top creators.',
  rows: [
    [
      panel(
        xyLens({
          id: lensId('overall-api-usage'),
          title: 'Overall API Usage',
          description: 'Response events over time for the top 10 APIs (WSO2 shows the top 100).',
          dataView: RESPONSES,
          series: 'area_stacked',
          x: dateHistogram(),
          split: terms('apiName.keyword', 10, 'API'),
          y: [metric('Requests', count())],
        }),
        48,
        14,
      ),
    ],
    [
      panel(
        creators(
          'top-application-creators',
          'Top Application Creators',
          'applicationOwner.keyword',
          'Application owner',
          'applicationName.keyword',
          'Application',
        ),
        24,
      ),
      panel(
        creators(
          'top-api-creators',
          'Top API Creators',
          'apiCreator.keyword',
          'API creator',
          'apiName.keyword',
          'API',
        ),
        24,
      ),
    ],
    [
      panel(summary('api-usage-by-version', 'API Usage By Version', [API, VERSION]), 24, 14),
      panel(
        summary(
          'api-usage-by-application',
          'API Usage By Application',
          [API, VERSION, terms('applicationName.keyword', 20, 'Application', { other: false })],
          'Usage',
        ),
        24,
        14,
      ),
    ],
    [
      panel(
        summary('api-backend-usage', 'API Backend Usage Summary', [
          API,
          VERSION,
          terms('apiContext.keyword', 10, 'Context', { other: false }),
          terms('destination.keyword', 10, 'Backend', { other: false }),
        ]),
        24,
        14,
      ),
      panel(
        summary('api-resource-usage', 'API Resource Usage Summary', [
          API,
          VERSION,
          terms('apiResourceTemplate.keyword', 20, 'Resource', { other: false }),
          terms('apiMethod.keyword', 10, 'Method', { other: false }),
        ]),
        24,
        14,
      ),
    ],
  ],
};
