import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, optInNote, percentileOf, rateOf, type TemplateVar } from '../query.js';
import { table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [...ENV_VARS, { name: 'api', tag: 'api' }];

const DESTINATION = optInNote('requests', ['destination']);
const LATENCY = optInNote('latency.backend', ['destination']);
const TARGET = optInNote('requests', ['destination', 'target_status_code']);

/** Backend responses with a 5xx status (`target_status_code`), by destination. */
const target5xx = () =>
  countOf(vars, 'requests', {
    filter: ['event_type:response', 'target_status_code:5*'],
    by: ['destination'],
    optIn: true,
  });

/** Requests with no backend response (`target_status_code:-1`), by destination. */
const noResponse = () =>
  countOf(vars, 'requests', { filter: ['target_status_code:-1'], by: ['destination'], optIn: true });

/**
 * WSO2's backend views: traffic and latency per backend endpoint (`destination`), the statuses the
 * backends answered with (`target_status_code`) and the target errors per destination.
 */
export const backends: DashboardSpec = {
  key: 'backends',
  title: '[gax] Backends',
  summary:
    'Backend endpoints (`destination`): requests, backend latency, the status codes the backends answered with (`target_status_code`) and target errors (backend 5xx and no response) per destination. Needs opt-in tags: `destination` and `target_status_code` on `requests`, `destination` on `latency.backend` (and on `errors` for the connectivity faults).',
  vars,
  groups: [
    {
      title: 'Traffic',
      widgets: [
        timeseries({
          title: 'Requests / s by destination',
          description: `Requests per second by backend endpoint (\`destination\`); requests the gateway answered itself have \`destination:none\`. ${DESTINATION}`,
          queries: { requests: rateOf(vars, 'requests', { by: ['destination'], optIn: true }) },
          formulas: [{ formula: 'requests' }],
        }),
        toplist({
          title: 'Top destinations',
          description: `The backend endpoints with the most requests in the time frame. ${DESTINATION}`,
          queries: { requests: countOf(vars, 'requests', { by: ['destination'], optIn: true }) },
          formula: { formula: 'requests', alias: 'requests' },
        }),
      ],
    },
    {
      title: 'Backend latency',
      widgets: [
        timeseries({
          title: 'Backend latency p95 by destination',
          description: `95th percentile of \`latency.backend\` (time the backend took; cache hits have none) by \`destination\`, ms. ${LATENCY}`,
          queries: {
            p95: percentileOf(vars, 'p95', 'latency.backend', { by: ['destination'], optIn: true }),
          },
          formulas: [{ formula: 'p95' }],
        }),
        timeseries({
          title: 'Backend latency p50 by destination',
          description: `Median of \`latency.backend\` by \`destination\`, ms. ${LATENCY}`,
          queries: {
            p50: percentileOf(vars, 'p50', 'latency.backend', { by: ['destination'], optIn: true }),
          },
          formulas: [{ formula: 'p50' }],
        }),
      ],
    },
    {
      title: 'Target status codes',
      widgets: [
        timeseries({
          title: 'Backend responses by target status code',
          description: `Requests per interval by the status the backend answered with (\`target_status_code\`; \`-1\`: no backend response, \`none\`: not reported). ${optInNote('requests', ['target_status_code'])}`,
          queries: {
            requests: countOf(vars, 'requests', { by: ['target_status_code'], optIn: true }),
          },
          formulas: [{ formula: 'requests' }],
          display: 'bars',
        }),
        table({
          title: 'Destinations',
          description: `Per backend endpoint in the time frame: requests, backend p95 latency (ms), backend 5xx responses and requests with no backend response (\`target_status_code:-1\`). ${TARGET} ${LATENCY}`,
          queries: {
            requests: countOf(vars, 'requests', { by: ['destination'], optIn: true }),
            p95: percentileOf(vars, 'p95', 'latency.backend', { by: ['destination'], optIn: true }),
            target5xx: target5xx(),
            none: noResponse(),
          },
          formulas: [
            { formula: 'requests', alias: 'requests' },
            { formula: 'p95', alias: 'backend p95 ms' },
            { formula: 'default_zero(target5xx)', alias: 'backend 5xx' },
            { formula: 'default_zero(none)', alias: 'no response' },
          ],
        }),
      ],
    },
    {
      title: 'Target errors',
      widgets: [
        timeseries({
          title: 'Target errors by destination',
          description: `Backend 5xx responses (\`event_type:response\`, \`target_status_code:5*\`) and requests with no backend response (\`target_status_code:-1\`: refused, reset or timed out; faults refused before forwarding, such as AUTH or THROTTLED, have no destination and show as \`none\`) per interval, by \`destination\`. ${TARGET}`,
          queries: { target5xx: target5xx(), none: noResponse() },
          formulas: [
            { formula: 'default_zero(target5xx)', alias: 'backend 5xx' },
            { formula: 'default_zero(none)', alias: 'no response' },
          ],
          display: 'bars',
        }),
        toplist({
          title: 'Top destinations by target errors',
          description: `Backend 5xx responses plus requests with no backend response in the time frame, by \`destination\`. ${TARGET}`,
          queries: { target5xx: target5xx(), none: noResponse() },
          formula: { formula: 'default_zero(target5xx) + default_zero(none)', alias: 'target errors' },
        }),
        timeseries({
          title: 'Backend connectivity faults by destination',
          description: `Gateway faults of category \`TARGET_CONNECTIVITY\` (connection failed, timed out, endpoint suspended) per interval, by \`destination\` and \`error_message\` (the text of the WSO2 error code). ${optInNote('errors', ['destination', 'error_message'])}`,
          queries: {
            faults: countOf(vars, 'errors', {
              filter: ['error_type:TARGET_CONNECTIVITY'],
              by: ['destination', 'error_message'],
              optIn: true,
            }),
          },
          formulas: [{ formula: 'faults' }],
          display: 'bars',
          width: 12,
        }),
      ],
    },
  ],
};
