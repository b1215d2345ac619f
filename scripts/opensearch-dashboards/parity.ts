/**
 * WSO2's published OpenSearch Dashboards objects (docs-apim, analytics/cloud/opensearchAnalyticsDashboards.ndjson,
 * OSD 2.15, June 2025: 3 index patterns, 12 dashboards, 51 visualizations = 3 navigation bars, 5 input
 * controls and 43 data panels shown 51 times), panel by panel in our words, with the gax panel that
 * shows the same. The README's parity table is written from this; a test checks each `ours` is on the
 * dashboard named here.
 */

import type { Panel } from './panel.js';
import * as i from './panels/inbound.js';
import * as ih from './panels/inbound-health.js';
import * as o from './panels/outbound.js';
import * as v from './panels/overview.js';

export interface Wso2Panel {
  /** WSO2's panel title (as shown on the dashboard). */
  readonly title: string;
  /** What WSO2's panel computes. */
  readonly shows: string;
  /** Our panel showing the same, when there is one. */
  readonly ours?: Panel;
  /** How ours differs, or why there is none. */
  readonly note?: string;
}

export interface Wso2Dashboard {
  readonly title: string;
  /** Our dashboard's slug. */
  readonly ours: string;
  /** WSO2's input controls on it, if any. */
  readonly controls?: string;
  readonly panels: readonly Wso2Panel[];
}

const ERR_COUNT_NOTE =
  'ours counts errors as defined (faults and 5xx responses); WSO2’s count of faulty events only is kept beside it as “Faulty Requests (WSO2 Error Request Count)”';
const SUMMARY_NOTE =
  'WSO2’s “Error Count” series counts 3xx–5xx responses; ours splits successful, 4xx (not errors) and errors (faults and 5xx)';

export const WSO2_DASHBOARDS: readonly Wso2Dashboard[] = [
  {
    title: 'Home',
    ours: 'home',
    panels: [
      { title: 'Total Traffic', shows: 'count of all events (apim_event*)', ours: v.totalTraffic },
      {
        title: 'Error Request Count',
        shows: 'count of faulty events',
        ours: v.errorCount,
        note: ERR_COUNT_NOTE,
      },
      {
        title: '95th Percentile Latency (ms)',
        shows: 'p95 responseLatency of responses',
        ours: v.p95Latency,
      },
      { title: 'Total Token Usage', shows: 'sum of totalTokens', ours: v.totalTokens },
      { title: 'Prompt Token Usage', shows: 'sum of promptTokens', ours: v.promptTokens },
      { title: 'Completion Token Usage', shows: 'sum of completionTokens', ours: v.completionTokens },
      {
        title: 'API Request Summary',
        shows: 'events over time, 2xx vs 3xx–5xx',
        ours: v.requestSummary,
        note: SUMMARY_NOTE,
      },
      {
        title: 'AI Token Usage',
        shows: 'heatmap of total tokens per day and hour',
        ours: v.aiTokenHeatmap,
        note: 'hours 0–23 (WSO2 bounds 1–24)',
      },
    ],
  },
  {
    title: 'Inbound Overview',
    ours: 'inbound-overview',
    panels: [
      { title: 'Total Traffic', shows: 'count of all events', ours: v.totalTraffic },
      {
        title: 'Error Request Count',
        shows: 'count of faulty events',
        ours: v.errorCount,
        note: ERR_COUNT_NOTE,
      },
      { title: '95th Percentile Latency (ms)', shows: 'p95 responseLatency', ours: v.p95Latency },
      {
        title: 'API Request Summary',
        shows: 'events over time, 2xx vs 3xx–5xx',
        ours: v.requestSummary,
        note: SUMMARY_NOTE,
      },
    ],
  },
  {
    title: 'Inbound Traffic',
    ours: 'inbound-traffic',
    controls: 'API, application',
    panels: [
      { title: 'API Usage Over Time', shows: 'responses over time', ours: i.apiUsageOverTime },
      {
        title: 'API Usage By Application',
        shows: 'donut of responses by application (top 5)',
        ours: i.usageByApplication,
        note: 'top 10',
      },
      {
        title: 'API Usage By Backend',
        shows: 'donut of responses by destination (top 5)',
        ours: i.usageByBackend,
        note: 'top 10',
      },
      {
        title: 'API Resource Usage Summary',
        shows: 'table: API, resource template, method',
        ours: i.resourceUsage,
      },
    ],
  },
  {
    title: 'Inbound API Analytics',
    ours: 'inbound-api-analytics',
    controls: 'API → version',
    panels: [
      {
        title: 'Overall API Usage',
        shows: 'responses over time by API (top 5)',
        ours: i.overallApiUsage,
        note: 'top 10',
      },
      {
        title: 'Top Application Creators',
        shows: 'donut by applicationOwner',
        ours: i.topAppCreators,
        note: 'top 10',
      },
      { title: 'Top API Creators', shows: 'donut by apiCreator', ours: i.topApiCreators, note: 'top 10' },
      {
        title: 'API Usage By Application',
        shows: 'table: API, version, application',
        ours: i.usageByApplicationTable,
      },
      { title: 'API Usage By Version', shows: 'table: API, version', ours: i.usageByVersion },
      {
        title: 'API Backend Usage Summary',
        shows: 'table: API, version, context, destination',
        ours: i.backendUsage,
      },
      {
        title: 'API Resource Usage Summary',
        shows: 'table: API, version, resource, method',
        ours: i.usageByResource,
      },
    ],
  },
  {
    title: 'Inbound User Analytics',
    ours: 'inbound-user-analytics',
    controls: 'user → API, application',
    panels: [
      { title: 'Top 10 API Users', shows: 'donut by userName', ours: ih.topUsers },
      {
        title: 'API Call Status',
        shows: 'donut by errorType (faults only have one)',
        ours: ih.apiCallStatus,
      },
      {
        title: 'API User Analytics',
        shows: 'table per API, user, version, application: fault count (3xx–5xx), success count (2xx), total',
        ours: ih.userAnalytics,
        note: 'errors as defined; 4xx in their own column, not counted as errors',
      },
      { title: 'User Per API', shows: 'table: user, API, version', ours: ih.userPerApi },
    ],
  },
  {
    title: 'Inbound Errors',
    ours: 'inbound-errors',
    panels: [
      { title: 'Errors By Category', shows: 'faults over time by errorType', ours: ih.errorsByCategory },
      {
        title: 'Errors By Reason',
        shows: 'table of faults per day, API, errorType',
        ours: ih.errorsByReason,
      },
      {
        title: 'Error by Status Code',
        shows: 'target and proxy 4xx, 5xx and ≥400 over time',
        ours: ih.statusCodes,
        note: 'renamed: 4xx responses are not errors; the ≥400 totals are the sums of the 4xx and 5xx series',
      },
      {
        title: 'Target Errors',
        shows: 'heatmap of faults by targetResponseCode and API',
        ours: ih.backendStatusByApi,
        note: 'on all events with targetResponseCode ≥ 400: a faulty event’s target code is always -1, so WSO2’s heatmap has one row',
      },
      { title: 'Proxy Error', shows: 'heatmap of faults by proxyResponseCode and API', ours: ih.proxyErrors },
    ],
  },
  {
    title: 'Inbound Latency',
    ours: 'inbound-latency',
    controls: 'API',
    panels: [
      { title: 'Top 10 Slowest APIs', shows: 'bars of average responseLatency by API', ours: ih.slowestApis },
      { title: 'Target Latency', shows: 'median and p95 backendLatency over time', ours: ih.targetLatency },
      {
        title: 'Response Latency',
        shows: 'median and p95 responseLatency over time',
        ours: ih.responseLatency,
      },
      {
        title: 'Request Mediation Latency',
        shows: 'median and p95 requestMediationLatency',
        ours: ih.requestMediationLatency,
      },
      {
        title: 'Response Mediation Latency',
        shows: 'median and p95 responseMediationLatency',
        ours: ih.responseMediationLatency,
      },
    ],
  },
  {
    title: 'Inbound Devices',
    ours: 'inbound-devices',
    panels: [
      { title: 'Top Platforms', shows: 'donut by platform', ours: ih.topPlatforms, note: 'top 10' },
      { title: 'Top User Agents', shows: 'donut by userAgent', ours: ih.topUserAgents, note: 'top 10' },
    ],
  },
  {
    title: 'Outbound Overview',
    ours: 'outbound-overview',
    panels: [
      { title: 'Total Token Usage', shows: 'sum of totalTokens', ours: v.totalTokens },
      { title: 'Prompt Token Usage', shows: 'sum of promptTokens', ours: v.promptTokens },
      { title: 'Completion Token Usage', shows: 'sum of completionTokens', ours: v.completionTokens },
      { title: 'AI Token Usage', shows: 'heatmap of total tokens per day and hour', ours: v.aiTokenHeatmap },
    ],
  },
  {
    title: 'Outbound Traffic',
    ours: 'outbound-traffic',
    controls: 'vendor → model',
    panels: [
      {
        title: 'Vendor Usage Over Time',
        shows: 'egress calls over time',
        ours: o.vendorUsageOverTime,
        note: 'split by vendor; WSO2’s dashboard also carries a saved vendorName = MistralAI filter, which ours does not',
      },
      {
        title: 'Token Usage By Vendor and Model',
        shows: 'donut of total tokens by vendor and model',
        ours: o.tokensByVendorModel,
      },
      {
        title: 'Token Usage With Time',
        shows: 'total, prompt and completion token sums over time',
        ours: o.tokensOverTime,
      },
      {
        title: 'Average Token Usage By Vendor',
        shows: 'bars of average prompt and completion tokens per vendor',
        ours: o.avgTokensByVendor,
        note: 'top vendors by calls (WSO2 uses significant terms)',
      },
      {
        title: 'Vendor Usage Summary',
        shows: 'table per vendor: endpoints, calls, average backendLatency',
        ours: o.vendorSummary,
      },
    ],
  },
  {
    title: 'Outbound Errors',
    ours: 'outbound-errors',
    controls: 'vendor → model',
    panels: [
      {
        title: 'Egress Error by Status Code',
        shows: 'target 4xx, 5xx and ≥400 over time',
        ours: o.egressStatusCodes,
        note: 'renamed (4xx are not errors) and filtered to egress calls (WSO2’s counts every API)',
      },
      {
        title: 'Egress Errors By Category',
        shows: 'egress faults over time by errorType',
        ours: o.egressErrorsByCategory,
      },
    ],
  },
  {
    title: 'Outbound Latency',
    ours: 'outbound-latency',
    controls: 'vendor → model',
    panels: [
      {
        title: 'Egress Response Latency',
        shows: 'median and p95 backendLatency of egress calls',
        ours: o.egressLatency,
      },
    ],
  },
];
