/**
 * The dashboards: their ids, titles, navigation groups and panel rows. Ids are `gax-osd-…`,
 * never WSO2's, so WSO2's own dashboards can live next to these.
 */
import type { Panel } from './panel.js';
import * as i from './panels/inbound.js';
import * as ih from './panels/inbound-health.js';
import * as o from './panels/outbound.js';
import * as v from './panels/overview.js';
import * as r from './panels/reliability.js';

export const NAV_GROUPS = ['Home', 'Inbound', 'Outbound (AI)', 'Reliability and consumers'] as const;

/** A panel on a dashboard: the panel, its width (of 48) and height. */
export type Placed = readonly [Panel, number, number];

export interface DashboardSpec {
  readonly slug: string;
  readonly title: string;
  readonly short: string;
  readonly group: (typeof NAV_GROUPS)[number];
  readonly description: string;
  readonly rows: readonly (readonly Placed[])[];
}

const d = (
  slug: string,
  group: DashboardSpec['group'],
  short: string,
  title: string,
  description: string,
  rows: readonly (readonly Placed[])[],
): DashboardSpec => ({ slug, group, short, title: `[gax] ${title}`, description, rows });

const kpi = (...panels: Panel[]): Placed[] => panels.map((p) => [p, 48 / panels.length, 7] as const);
const half = (a: Panel, b: Panel, h = 15): Placed[] => [
  [a, 24, h],
  [b, 24, h],
];
const full = (p: Panel, h = 15): Placed[] => [[p, 48, h]];
const controls = (p: Panel): Placed[] => [[p, 48, 5]];

/** Every dashboard, in navigation order. */
export const DASHBOARDS: readonly DashboardSpec[] = [
  d('home', 'Home', 'Home', 'Home', 'Traffic, errors, latency and AI token usage at a glance.', [
    kpi(v.totalTraffic, v.errorCount, v.errorRate, v.p95Latency),
    [
      [v.wso2ErrorCount, 12, 7],
      [v.wso2ErrorRate, 12, 7],
      ...kpi(v.totalTokens, v.promptTokens, v.completionTokens).map(([p]) => [p, 8, 7] as const),
    ],
    full(v.requestSummary, 14),
    full(v.aiTokenHeatmap, 14),
  ]),
  d(
    'inbound-overview',
    'Inbound',
    'Overview',
    'Inbound Overview',
    'Traffic, errors (ours and WSO2’s), p95 latency and the request summary of all APIs.',
    [
      kpi(v.totalTraffic, v.errorCount, v.errorRate, v.p95Latency),
      kpi(v.wso2ErrorCount, v.wso2ErrorRate),
      full(v.requestSummary),
      full(ih.latencyPercentiles, 14),
    ],
  ),
  d(
    'inbound-traffic',
    'Inbound',
    'Traffic',
    'Inbound Traffic',
    'Who calls which API, resource and backend.',
    [
      controls(i.trafficControls),
      full(i.apiUsageOverTime, 14),
      half(i.usageByApplication, i.usageByBackend),
      full(i.resourceUsage),
    ],
  ),
  d(
    'inbound-api-analytics',
    'Inbound',
    'API Analytics',
    'Inbound API Analytics',
    'Usage per API, version, creator, application, backend and resource.',
    [
      controls(i.apiControls),
      full(i.overallApiUsage),
      half(i.topAppCreators, i.topApiCreators),
      half(i.usageByApplicationTable, i.usageByVersion),
      half(i.backendUsage, i.usageByResource),
    ],
  ),
  d(
    'inbound-user-analytics',
    'Inbound',
    'User Analytics',
    'Inbound User Analytics',
    'End users: who calls which API, and how it went.',
    [
      controls(ih.userControls),
      half(ih.topUsers, ih.apiCallStatus),
      full(ih.userAnalytics),
      full(ih.userPerApi),
    ],
  ),
  d(
    'inbound-errors',
    'Inbound',
    'Errors',
    'Inbound Errors',
    'Errors (faulty events and 5xx responses), fault categories and reasons, status codes.',
    [
      kpi(v.errorCount, v.errorRate, v.wso2ErrorCount, v.wso2ErrorRate),
      full(ih.errorsOverTime, 13),
      full(ih.errorsByCategory, 13),
      half(ih.errorsByReason, ih.topErrorReasons),
      full(ih.statusCodes),
      half(ih.backendStatusByApi, ih.proxyErrors),
    ],
  ),
  d(
    'inbound-latency',
    'Inbound',
    'Latency',
    'Inbound Latency',
    'Slowest APIs; latency percentiles, backend and mediation latency.',
    [
      controls(ih.latencyControls),
      full(ih.slowestApis),
      full(ih.latencyPercentiles, 14),
      full(ih.responseLatency, 14),
      full(ih.targetLatency, 14),
      half(ih.requestMediationLatency, ih.responseMediationLatency, 14),
    ],
  ),
  d('inbound-devices', 'Inbound', 'Devices', 'Inbound Devices', 'Client platforms and user agents.', [
    half(ih.topPlatforms, ih.topUserAgents, 20),
  ]),
  d('outbound-overview', 'Outbound (AI)', 'Overview', 'Outbound Overview', 'AI token usage at a glance.', [
    kpi(v.totalTokens, v.promptTokens, v.completionTokens),
    full(v.aiTokenHeatmap),
    half(o.tokensByVendorModel, o.vendorUsageOverTime),
  ]),
  d(
    'outbound-traffic',
    'Outbound (AI)',
    'Traffic',
    'Outbound Traffic',
    'AI calls and token usage by vendor and model (properties.aiMetadata.*).',
    [
      controls(o.egressControls),
      full(o.vendorUsageOverTime),
      half(o.tokensByVendorModel, o.tokensOverTime),
      full(o.avgTokensByVendor),
      half(o.vendorSummary, o.tokensByModel, 12),
    ],
  ),
  d(
    'outbound-errors',
    'Outbound (AI)',
    'Errors',
    'Outbound Errors',
    'Backend 4xx/5xx and faults of AI calls.',
    [controls(o.egressControls), full(o.egressStatusCodes), half(o.egressErrorsByCategory, o.egressErrors)],
  ),
  d(
    'outbound-latency',
    'Outbound (AI)',
    'Latency',
    'Outbound Latency',
    'Latency of AI calls: at the vendor and through the gateway.',
    [controls(o.egressControls), full(o.egressLatency), half(o.egressLatencyPercentiles, o.latencyByModel)],
  ),
  d(
    'slo',
    'Reliability and consumers',
    'SLO',
    'SLO and Error Budget',
    `Availability SLO ${r.SLO_TARGET * 100} % (proxyResponseCode < 500 over all events) and its error budget burn.`,
    [
      kpi(r.successRate, r.budgetConsumed, r.failed5xx),
      half(r.successOverTime, r.burnRate, 14),
      half(r.successByApi, r.withinLatency, 16),
    ],
  ),
  d(
    'applications',
    'Reliability and consumers',
    'Applications',
    'Applications',
    'Per application: requests, errors, error rate, latency, faults.',
    [
      full(r.applicationsTable),
      half(r.applicationsByOwner, r.faultsByApplication),
      half(r.trafficByApplication, r.errorsByApplication, 14),
      full(r.p95ByApplication, 14),
    ],
  ),
  d(
    'consumers',
    'Reliability and consumers',
    'Consumers',
    'Consumers',
    'Per end user and client IP: requests, errors, APIs used.',
    [full(r.endUsers), half(r.clientIps, r.topClientIps), full(r.trafficByUser, 14)],
  ),
];
