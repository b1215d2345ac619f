/** Inbound users, errors, latency and devices panels (WSO2's Inbound User Analytics … Devices). */
import { avg, count, countWhere, dateHistogram, filters, median, percentiles, terms } from '../aggs.js';
import { ALL_EVENTS, FAULTS, RESPONSES } from '../index-patterns.js';
import { ERRORS, type Panel, WSO2_4XX } from '../panel.js';
import { controlsVis, heatmapVis, pieVis, tableVis, xyVis } from '../vis.js';

export const userControls: Panel = {
  id: 'gax-osd-controls-users',
  title: 'User Filter',
  view: ALL_EVENTS,
  chart: 'input controls',
  what: 'Username → API and application option lists.',
  vis: controlsVis([
    { field: 'userName.keyword', label: 'User' },
    { field: 'apiName.keyword', label: 'API', parent: 0 },
    { field: 'applicationName.keyword', label: 'Application', parent: 0 },
  ]),
};

export const topUsers: Panel = {
  id: 'gax-osd-top-users',
  title: 'Top 10 API Users',
  view: ALL_EVENTS,
  chart: 'donut',
  what: 'Events by the top 10 end users (userName).',
  vis: pieVis([count(), terms('userName.keyword', 10, 'segment', 'Username')]),
};

export const apiCallStatus: Panel = {
  id: 'gax-osd-api-call-status',
  title: 'API Call Status',
  view: FAULTS,
  chart: 'donut',
  what: 'Faulty events by errorType (AUTH, THROTTLED, TARGET_CONNECTIVITY, OTHER); responses have no errorType.',
  vis: pieVis([count(), terms('errorType.keyword', 10, 'segment', 'Error Type')]),
};

export const userAnalytics: Panel = {
  id: 'gax-osd-user-analytics',
  title: 'API User Analytics',
  view: ALL_EVENTS,
  chart: 'table',
  what: `Per API, user, version and application: events, errors (\`${ERRORS}\`), 4xx responses (not errors) and successful responses.`,
  vis: tableVis([
    count('Events'),
    countWhere(ERRORS, 'Errors'),
    countWhere(`eventType : "response" and ${WSO2_4XX}`, '4xx (not errors)'),
    countWhere('eventType : "response" and proxyResponseCode < 400', 'Successful'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('userName.keyword', 10, 'bucket', 'Username'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
    terms('applicationName.keyword', 5, 'bucket', 'Application'),
  ]),
};

export const userPerApi: Panel = {
  id: 'gax-osd-user-per-api',
  title: 'User Per API',
  view: ALL_EVENTS,
  chart: 'table',
  what: 'Events per user, API and version.',
  vis: tableVis([
    count('Events'),
    terms('userName.keyword', 10, 'bucket', 'User'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('apiVersion.keyword', 5, 'bucket', 'Version'),
  ]),
};

export const errorsByCategory: Panel = {
  id: 'gax-osd-errors-by-category',
  title: 'Errors By Category',
  view: FAULTS,
  chart: 'area, stacked',
  what: 'Faulty events over time by errorType.',
  vis: xyVis(
    'area',
    [count('Faults'), dateHistogram(), terms('errorType.keyword', 10, 'group', 'Category')],
    {
      stacked: true,
    },
  ),
};

export const errorsOverTime: Panel = {
  id: 'gax-osd-errors-over-time',
  title: 'Errors Over Time',
  view: ALL_EVENTS,
  query: ERRORS,
  chart: 'histogram, stacked',
  what: `Errors (\`${ERRORS}\`) over time, faults and 5xx responses apart.`,
  vis: xyVis('histogram', [count('Errors'), dateHistogram(), terms('eventType', 2, 'group', 'Event type')], {
    stacked: true,
  }),
};

export const errorsByReason: Panel = {
  id: 'gax-osd-errors-by-reason',
  title: 'Errors By Reason',
  view: FAULTS,
  chart: 'table',
  what: 'Faulty events per day, API and errorType.',
  vis: tableVis([
    count('Faults'),
    dateHistogram('bucket', 'd'),
    terms('apiName.keyword', 10, 'bucket', 'API Name'),
    terms('errorType.keyword', 5, 'bucket', 'Reason'),
  ]),
};

export const topErrorReasons: Panel = {
  id: 'gax-osd-top-error-reasons',
  title: 'Top Error Reasons',
  view: FAULTS,
  chart: 'table',
  what: 'The most frequent errorType, errorCode and errorMessage of faulty events.',
  vis: tableVis([
    count('Faults'),
    terms('errorType.keyword', 5, 'bucket', 'Category'),
    terms('errorCode', 10, 'bucket', 'Code'),
    terms('errorMessage.keyword', 10, 'bucket', 'Message'),
  ]),
};

export const statusCodes: Panel = {
  id: 'gax-osd-status-codes',
  title: 'Responses by Status Code (4xx and 5xx)',
  view: ALL_EVENTS,
  chart: 'area',
  what: 'Backend (targetResponseCode) and gateway (proxyResponseCode) 4xx and 5xx over time; 4xx are not errors.',
  vis: xyVis('area', [
    count('Count'),
    dateHistogram(),
    filters('group', [
      { label: '4xx (target)', query: 'targetResponseCode >= 400 and targetResponseCode < 500' },
      { label: '5xx (target)', query: 'targetResponseCode >= 500 and targetResponseCode < 600' },
      { label: '4xx (proxy)', query: WSO2_4XX },
      { label: '5xx (proxy)', query: 'proxyResponseCode >= 500 and proxyResponseCode < 600' },
    ]),
  ]),
};

export const backendStatusByApi: Panel = {
  id: 'gax-osd-backend-status-by-api',
  title: 'Backend Status ≥ 400 by API',
  view: ALL_EVENTS,
  query: 'targetResponseCode >= 400',
  chart: 'heatmap',
  what: 'Events with a backend 4xx/5xx (targetResponseCode) per code and API.',
  vis: heatmapVis([
    count(),
    terms('targetResponseCode', 10, 'segment', 'Target status'),
    terms('apiName.keyword', 10, 'group', 'API Name'),
  ]),
};

export const proxyErrors: Panel = {
  id: 'gax-osd-proxy-errors',
  title: 'Proxy Errors',
  view: FAULTS,
  chart: 'heatmap',
  what: 'Faulty events per proxyResponseCode and API.',
  vis: heatmapVis([
    count(),
    terms('proxyResponseCode', 10, 'segment', 'Proxy status'),
    terms('apiName.keyword', 10, 'group', 'API Name'),
  ]),
};

export const latencyControls: Panel = {
  id: 'gax-osd-controls-latency',
  title: 'Latency Filter',
  view: RESPONSES,
  chart: 'input controls',
  what: 'API option list.',
  vis: controlsVis([{ field: 'apiName.keyword', label: 'API' }]),
};

export const slowestApis: Panel = {
  id: 'gax-osd-slowest-apis',
  title: 'Top 10 Slowest APIs',
  view: RESPONSES,
  chart: 'bar',
  what: 'The 10 APIs with the highest average responseLatency (ms).',
  vis: xyVis('histogram', [
    avg('responseLatency', 'Average Latency'),
    terms('apiName.keyword', 10, 'segment', 'API Name'),
  ]),
};

const medianP95 = (id: string, title: string, field: string, what: string): Panel => ({
  id,
  title,
  view: RESPONSES,
  chart: 'line',
  what,
  vis: xyVis(
    'line',
    [median(field, 'Median'), percentiles(field, [95], '95th percentile'), dateHistogram()],
    {
      axisTitle: `${title} (ms)`,
    },
  ),
});

export const targetLatency = medianP95(
  'gax-osd-target-latency',
  'Target Latency',
  'backendLatency',
  'Median and 95th percentile of backendLatency (time at the backend, ms).',
);
export const responseLatency = medianP95(
  'gax-osd-response-latency',
  'Response Latency',
  'responseLatency',
  'Median and 95th percentile of responseLatency (total gateway time, ms).',
);
export const requestMediationLatency = medianP95(
  'gax-osd-request-mediation-latency',
  'Request Mediation Latency',
  'requestMediationLatency',
  'Median and 95th percentile of requestMediationLatency (ms).',
);
export const responseMediationLatency = medianP95(
  'gax-osd-response-mediation-latency',
  'Response Mediation Latency',
  'responseMediationLatency',
  'Median and 95th percentile of responseMediationLatency (ms).',
);

export const latencyPercentiles: Panel = {
  id: 'gax-osd-latency-percentiles',
  title: 'Latency Percentiles (p50, p95, p99)',
  view: RESPONSES,
  chart: 'line',
  what: '50th, 95th and 99th percentile of responseLatency (ms) over time.',
  vis: xyVis('line', [percentiles('responseLatency', [50, 95, 99], 'Latency'), dateHistogram()], {
    axisTitle: 'ms',
  }),
};

export const topPlatforms: Panel = {
  id: 'gax-osd-top-platforms',
  title: 'Top Platforms',
  view: ALL_EVENTS,
  chart: 'donut',
  what: 'Events by the top 10 client platforms (platform).',
  vis: pieVis([count(), terms('platform.keyword', 10, 'segment', 'Platform')]),
};

export const topUserAgents: Panel = {
  id: 'gax-osd-top-user-agents',
  title: 'Top User Agents',
  view: ALL_EVENTS,
  chart: 'donut',
  what: 'Events by the top 10 user agents (userAgent).',
  vis: pieVis([count(), terms('userAgent.keyword', 10, 'segment', 'User agent')]),
};
