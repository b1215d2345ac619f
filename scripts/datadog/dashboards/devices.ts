import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, optInNote, rateOf, type TemplateVar } from '../query.js';
import { table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [...ENV_VARS, { name: 'api', tag: 'api' }];

const needs = (...tags: ('platform' | 'user_agent')[]): string => optInNote('requests', tags);

/** Requests by a client tag, opted in. */
const byClient = (tag: 'platform' | 'user_agent') => countOf(vars, 'requests', { by: [tag], optIn: true });

/**
 * WSO2's "Devices" view: where requests come from, by operating system (`platform`) and client
 * family (`user_agent`), both opt-in tags of `requests`.
 */
export const devices: DashboardSpec = {
  key: 'devices',
  title: '[gax] Devices',
  summary:
    'Where requests come from: operating system (`platform`) and client family (`user_agent`, e.g. Chrome, curl, okhttp; unknown families as `Other`). Both are opt-in tags of `requests`: add them to `plugins.datadog.tags.requests`.',
  vars,
  groups: [
    {
      title: 'Platforms',
      widgets: [
        timeseries({
          title: 'Requests / s by platform',
          description: `Requests per second by operating-system family (\`platform\`). ${needs('platform')}`,
          queries: { requests: rateOf(vars, 'requests', { by: ['platform'], optIn: true }) },
          formulas: [{ formula: 'requests' }],
          display: 'area',
        }),
        toplist({
          title: 'Top platforms',
          description: `The platforms with the most requests in the time frame. ${needs('platform')}`,
          queries: { requests: byClient('platform') },
          formula: { formula: 'requests', alias: 'requests' },
        }),
      ],
    },
    {
      title: 'User agents',
      widgets: [
        timeseries({
          title: 'Requests / s by user agent',
          description: `Requests per second by client family (\`user_agent\`; families gax does not know are \`Other\`). ${needs('user_agent')}`,
          queries: { requests: rateOf(vars, 'requests', { by: ['user_agent'], optIn: true }) },
          formulas: [{ formula: 'requests' }],
          display: 'area',
        }),
        toplist({
          title: 'Top user agents',
          description: `The client families with the most requests in the time frame. ${needs('user_agent')}`,
          queries: { requests: byClient('user_agent') },
          formula: { formula: 'requests', alias: 'requests' },
        }),
        table({
          title: 'Platform and user agent',
          description: `Requests per platform and client family in the time frame, with the 4xx and 5xx responses among them. ${needs('platform', 'user_agent')}`,
          queries: {
            requests: countOf(vars, 'requests', { by: ['platform', 'user_agent'], optIn: true }),
            fourxx: countOf(vars, 'requests', {
              by: ['platform', 'user_agent'],
              filter: ['event_type:response', 'status_code:4*'],
              optIn: true,
            }),
            fivexx: countOf(vars, 'requests', {
              by: ['platform', 'user_agent'],
              filter: ['event_type:response', 'status_code:5*'],
              optIn: true,
            }),
          },
          formulas: [
            { formula: 'requests', alias: 'requests' },
            { formula: 'default_zero(fourxx)', alias: '4xx' },
            { formula: 'default_zero(fivexx)', alias: '5xx' },
          ],
        }),
      ],
    },
  ],
};
