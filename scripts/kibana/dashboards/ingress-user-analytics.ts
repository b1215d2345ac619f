import { DASHBOARDS } from '../catalog.js';
import { filters, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS } from '../data-views.js';
import { count } from '../formula.js';
import { pieLens, tableLens } from '../lens.js';
import { lensId } from './common.js';

const SUCCESS = 'proxyResponseCode >= 200 and proxyResponseCode < 300';
const FAULT = 'proxyResponseCode >= 300';
const USER = terms('userName.keyword', 20, 'User', { other: false });
const API = terms('apiName.keyword', 10, 'API', { other: false });
const VERSION = terms('apiVersion.keyword', 5, 'Version', { other: false });

/** Ingress User Analytics (WSO2 "API Users"): who calls what and how it went. */
export const ingressUsers: DashboardSpec = {
  entry: DASHBOARDS.ingressUsers,
  description: 'Top end users, call status, and per-user API usage (userName).',
  rows: [
    [
      panel(
        pieLens({
          id: lensId('top-api-users'),
          title: 'Top 10 API Users',
          description: 'Events by the top 10 userName values.',
          dataView: ALL_EVENTS,
          shape: 'donut',
          groups: [terms('userName.keyword', 10, 'User')],
          metric: metric('Requests', count()),
        }),
        24,
      ),
      panel(
        pieLens({
          id: lensId('api-call-status'),
          title: 'API Call Status',
          description: `Success: ${SUCCESS}; Faults: ${FAULT}.`,
          dataView: ALL_EVENTS,
          shape: 'donut',
          groups: [
            filters('Status', [
              { label: 'Success', kql: SUCCESS },
              { label: 'Faults', kql: FAULT },
            ]),
          ],
          metric: metric('Requests', count()),
        }),
        24,
      ),
    ],
    [
      panel(
        tableLens({
          id: lensId('api-user-analytics'),
          title: 'API User Analytics',
          description: 'Success, faulty and total calls per user, API, version and application.',
          dataView: ALL_EVENTS,
          rows: [USER, API, VERSION, terms('applicationName.keyword', 10, 'Application', { other: false })],
          metrics: [
            metric('Total', count()),
            metric('Success', count(SUCCESS)),
            metric('Faulty', count(FAULT)),
          ],
        }),
        48,
        15,
      ),
    ],
    [
      panel(
        tableLens({
          id: lensId('users-per-api'),
          title: 'User Per API',
          description: 'Hits per user, API and version.',
          dataView: ALL_EVENTS,
          rows: [USER, API, VERSION],
          metrics: [metric('Hits', count())],
        }),
        48,
        14,
      ),
    ],
  ],
};
