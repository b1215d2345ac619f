import { DASHBOARDS } from '../catalog.js';
import { metric, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS, type KibanaDataView, RESPONSES } from '../data-views.js';
import { count } from '../formula.js';
import { pieLens } from '../lens.js';
import { lensId } from './common.js';

const top5 = (slug: string, title: string, dataView: KibanaDataView, field: string, label: string) =>
  pieLens({
    id: lensId(slug),
    title,
    description: `Events by the top 5 values of ${field} (parsed from the User-Agent header by the gateway).`,
    dataView,
    shape: 'donut',
    groups: [terms(field, 5, label)],
    metric: metric('Requests', count()),
  });

/** Ingress Devices: client platforms and user agents. */
export const ingressDevices: DashboardSpec = {
  entry: DASHBOARDS.ingressDevices,
  description: 'Client operating systems (platform) and browsers/clients (userAgent).',
  rows: [
    [
      panel(top5('top-platforms', 'Top Platform', ALL_EVENTS, 'platform.keyword', 'Platform'), 24, 15),
      panel(top5('top-user-agents', 'Top User Agent', RESPONSES, 'userAgent.keyword', 'User agent'), 24, 15),
    ],
  ],
};
