import { DASHBOARDS } from '../catalog.js';
import { dateHistogram, filters, metric } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS } from '../data-views.js';
import { count } from '../formula.js';
import { xyLens } from '../lens.js';
import { KQL, lensId } from './common.js';
import { errorsByCategory } from './errors-common.js';

/** Egress (AI) Errors: backend status codes and fault categories of AI APIs. */
export const egressErrors: DashboardSpec = {
  entry: DASHBOARDS.egressErrors,
  description: 'Errors of AI (egress) APIs: backend 4xx/5xx and gateway faults (targetResponseCode -1).',
  rows: [
    [
      panel(
        xyLens({
          id: lensId('egress-errors-by-status'),
          title: 'Error by Status Code',
          description:
            'Egress events with a backend 4xx/5xx; Total also counts faults (targetResponseCode -1).',
          dataView: ALL_EVENTS,
          query: KQL.egress,
          series: 'area',
          x: dateHistogram(),
          split: filters('Status', [
            { label: '4xx (target)', kql: 'targetResponseCode >= 400 and targetResponseCode < 500' },
            { label: '5xx (target)', kql: 'targetResponseCode >= 500' },
            { label: 'Total (target)', kql: 'targetResponseCode >= 400 or targetResponseCode : -1' },
          ]),
          y: [metric('Errors', count())],
        }),
        24,
        14,
      ),
      panel(errorsByCategory(lensId('egress-errors-by-category'), ALL_EVENTS, KQL.egress), 24, 14),
    ],
  ],
};
