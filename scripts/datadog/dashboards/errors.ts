import { errorRatioChart, errorRatioValue, faultsByType } from '../common.js';
import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, optInNote, type TemplateVar } from '../query.js';
import { queryValue, table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [...ENV_VARS, { name: 'api', tag: 'api' }];

export const errors: DashboardSpec = {
  key: 'errors',
  title: '[gax] Errors',
  summary:
    'Gateway faults by category (`error_type`), code (`error_code`) and API, 4xx/5xx responses and the error ratio per API.',
  vars,
  groups: [
    {
      title: 'Summary',
      widgets: [
        queryValue({
          title: 'Faults',
          description: 'Gateway faults (faulty events, `errors`) in the time frame.',
          queries: { faults: countOf(vars, 'errors') },
          formula: { formula: 'faults' },
          precision: 0,
        }),
        queryValue({
          title: '5xx responses',
          description: 'Responses with a 5xx gateway status in the time frame (counted as errors).',
          queries: {
            fivexx: countOf(vars, 'requests', { filter: ['event_type:response', 'status_code:5*'] }),
          },
          formula: { formula: 'fivexx' },
          precision: 0,
        }),
        errorRatioValue(vars),
        queryValue({
          title: '4xx responses',
          description:
            'Responses with a 4xx gateway status in the time frame (client errors; not in the error ratio).',
          queries: {
            fourxx: countOf(vars, 'requests', { filter: ['event_type:response', 'status_code:4*'] }),
          },
          formula: { formula: 'fourxx' },
          precision: 0,
        }),
      ],
    },
    {
      title: 'Faults',
      widgets: [
        faultsByType(vars),
        timeseries({
          title: 'Faults by error code',
          description: 'Gateway faults per interval by `error_code` (WSO2 error codes, e.g. 900901, 101503).',
          queries: { faults: countOf(vars, 'errors', { by: ['error_code'] }) },
          formulas: [{ formula: 'faults' }],
          display: 'bars',
        }),
        timeseries({
          title: 'Faults by error message',
          description: `Gateway faults per interval by \`error_message\`: the text of the WSO2 error code (e.g. 900901 → Invalid Credentials), else the fault category; never the raw message. ${optInNote('errors', ['error_message'])}`,
          queries: { faults: countOf(vars, 'errors', { by: ['error_message'], optIn: true }) },
          formulas: [{ formula: 'faults' }],
          display: 'bars',
        }),
        timeseries({
          title: 'Faults by API',
          description: 'Gateway faults per interval by API.',
          queries: { faults: countOf(vars, 'errors', { by: ['api'] }) },
          formulas: [{ formula: 'faults' }],
          display: 'bars',
        }),
        errorRatioChart(vars, ['api']),
        toplist({
          title: 'Top APIs by faults',
          description: 'The 10 APIs with the most gateway faults in the time frame.',
          queries: { faults: countOf(vars, 'errors', { by: ['api'] }) },
          formula: { formula: 'faults', alias: 'faults' },
        }),
        timeseries({
          title: '4xx and 5xx responses by status code',
          description: 'Responses with a 4xx or 5xx gateway status per interval, by `status_code`.',
          queries: {
            fourxx: countOf(vars, 'requests', {
              filter: ['event_type:response', 'status_code:4*'],
              by: ['status_code'],
            }),
            fivexx: countOf(vars, 'requests', {
              filter: ['event_type:response', 'status_code:5*'],
              by: ['status_code'],
            }),
          },
          formulas: [{ formula: 'fourxx' }, { formula: 'fivexx' }],
          display: 'bars',
        }),
        table({
          title: 'Faults by API, category and code',
          description: 'Gateway faults in the time frame per API, `error_type` and `error_code`.',
          queries: { faults: countOf(vars, 'errors', { by: ['api', 'error_type', 'error_code'] }) },
          formulas: [{ formula: 'faults', alias: 'faults' }],
        }),
      ],
    },
  ],
};
