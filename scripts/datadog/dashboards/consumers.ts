import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, optInNote, percentileOf, rateOf, type TemplateVar } from '../query.js';
import { table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [...ENV_VARS, { name: 'api', tag: 'api' }];

type Tag =
  | 'application'
  | 'user'
  | 'application_owner'
  | 'api_creator'
  | 'gateway_host'
  | 'region'
  | 'tenant';

const needs = (...tags: Tag[]): string => optInNote('requests', tags);

const top = (title: string, tag: Tag, what: string) =>
  toplist({
    title,
    description: `The ${what} with the most requests in the time frame (\`${tag}\`). ${needs(tag)}`,
    queries: { requests: countOf(vars, 'requests', { by: [tag], optIn: true }) },
    formula: { formula: 'requests', alias: 'requests' },
  });

const perSecond = (title: string, tag: Tag, what: string) =>
  timeseries({
    title,
    description: `Requests per second by ${what} (\`${tag}\`). ${needs(tag)}`,
    queries: { requests: rateOf(vars, 'requests', { by: [tag], optIn: true }) },
    formulas: [{ formula: 'requests' }],
  });

/**
 * WSO2's application, user and deployment views on metrics: who calls (application, user,
 * application owner), whose APIs (API creator, tenant) and where (gateway host, region). Every
 * widget needs opt-in tags of `requests` (`latency.response` for the latency per gateway host).
 */
export const consumers: DashboardSpec = {
  key: 'consumers',
  title: '[gax] Applications, users and gateways',
  summary:
    'Who calls the APIs (application, user, application owner), whose APIs they are (API creator, tenant) and which gateway nodes and regions serve them. Every widget needs opt-in tags of `requests` (user and application tags multiply custom metrics: check with `gax check-config --sample` first).',
  vars,
  groups: [
    {
      title: 'Applications and users',
      widgets: [
        perSecond('Requests / s by application', 'application', 'subscribing application'),
        top('Top applications', 'application', 'applications'),
        top('Top users', 'user', 'end users'),
        top('Top application owners', 'application_owner', 'application owners'),
        table({
          title: 'Applications and their faults',
          description: `Per application in the time frame: requests, faulty events and 5xx responses (together the errors of docs/metrics.md). ${needs('application')}`,
          queries: {
            requests: countOf(vars, 'requests', { by: ['application'], optIn: true }),
            faults: countOf(vars, 'requests', {
              filter: ['event_type:faulty'],
              by: ['application'],
              optIn: true,
            }),
            fivexx: countOf(vars, 'requests', {
              filter: ['event_type:response', 'status_code:5*'],
              by: ['application'],
              optIn: true,
            }),
          },
          formulas: [
            { formula: 'requests', alias: 'requests' },
            { formula: 'default_zero(faults) + default_zero(fivexx)', alias: 'faults + 5xx' },
          ],
        }),
      ],
    },
    {
      title: 'Gateways, regions and tenants',
      widgets: [
        perSecond('Requests / s by gateway host', 'gateway_host', 'gateway node'),
        timeseries({
          title: 'Gateway latency p95 by gateway host',
          description: `95th percentile of \`latency.response\` by gateway node (\`gateway_host\`), ms. ${optInNote('latency.response', ['gateway_host'])}`,
          queries: {
            p95: percentileOf(vars, 'p95', 'latency.response', { by: ['gateway_host'], optIn: true }),
          },
          formulas: [{ formula: 'p95' }],
        }),
        perSecond('Requests / s by region', 'region', 'gateway region'),
        top('Top tenants', 'tenant', 'API creators’ tenants'),
        top('Top API creators', 'api_creator', 'API creators'),
      ],
    },
  ],
};
