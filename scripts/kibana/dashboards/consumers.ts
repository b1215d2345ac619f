import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, INTEGER, metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS } from '../data-views.js';
import { agg, count } from '../formula.js';
import { pieLens, tableLens, xyLens } from '../lens.js';
import { KQL, lensId } from './common.js';

const USER = 'userName.keyword';
const IP = 'userIp.keyword';

/** Consumers: end users (userName) and client addresses (userIp). */
export const consumers: DashboardSpec = {
  entry: DASHBOARDS.consumers,
  description:
    'Per end user and client IP: requests, errors, APIs used. Faulty events of current WSO2 builds carry no userName/userIp.',
  rows: [
    [
      panel(
        tableLens({
          id: lensId('consumers-users'),
          title: 'End Users',
          description: `Per userName: events, errors (${KQL.error}), distinct APIs and client IPs, average responseLatency.`,
          dataView: ALL_EVENTS,
          rows: [terms(USER, 25, 'User', { other: false })],
          metrics: [
            metric('Requests', count()),
            metric('Errors', count(KQL.error)),
            metric('APIs', agg('unique_count', 'apiName.keyword')),
            metric('Client IPs', agg('unique_count', IP)),
            metric('Average latency (ms)', agg('average', 'responseLatency'), INTEGER),
          ],
        }),
        28,
        15,
      ),
      panel(
        tableLens({
          id: lensId('consumers-ips'),
          title: 'Client IPs',
          description: 'Per userIp (may be masked by the gateway): events, errors and distinct users.',
          dataView: ALL_EVENTS,
          rows: [terms(IP, 25, 'Client IP', { other: false })],
          metrics: [
            metric('Requests', count()),
            metric('Errors', count(KQL.error)),
            metric('Users', agg('unique_count', USER)),
          ],
        }),
        20,
        15,
      ),
    ],
    [
      panel(
        xyLens({
          id: lensId('traffic-by-user'),
          title: 'Traffic by User',
          description: 'Events over time for the top 10 users.',
          dataView: ALL_EVENTS,
          series: 'line',
          x: dateHistogram(),
          split: terms(USER, 10, 'User'),
          y: [metric('Requests', count())],
        }),
        30,
        13,
      ),
      panel(
        pieLens({
          id: lensId('top-client-ips'),
          title: 'Top Client IPs',
          description: 'Events by the top 10 userIp values.',
          dataView: ALL_EVENTS,
          shape: 'donut',
          groups: [terms(IP, 10, 'Client IP')],
          metric: metric('Requests', count()),
        }),
        18,
        13,
      ),
    ],
  ],
};
