/** Outbound (AI egress) panels: vendor and model usage, tokens, backend status, latency. */
import { avg, cardinality, count, dateHistogram, filters, median, percentiles, sum, terms } from '../aggs.js';
import { ALL_EVENTS, FAULTS, RESPONSES } from '../index-patterns.js';
import { EGRESS, ERRORS, type Panel } from '../panel.js';
import { controlsVis, pieVis, tableVis, xyVis } from '../vis.js';

const VENDOR = 'properties.aiMetadata.vendorName.keyword';
const MODEL = 'properties.aiMetadata.model.keyword';

export const egressControls: Panel = {
  id: 'gax-osd-controls-egress',
  title: 'Egress Traffic Filter',
  view: RESPONSES,
  chart: 'input controls',
  what: 'AI vendor → AI model option lists.',
  vis: controlsVis([
    { field: VENDOR, label: 'Vendor' },
    { field: MODEL, label: 'Model', parent: 0 },
  ]),
};

export const vendorUsageOverTime: Panel = {
  id: 'gax-osd-vendor-usage-over-time',
  title: 'Vendor Usage Over Time',
  view: RESPONSES,
  query: EGRESS,
  chart: 'area, stacked',
  what: 'AI (egress) calls over time by the top 5 vendors.',
  vis: xyVis('area', [count('Hit Count'), dateHistogram(), terms(VENDOR, 5, 'group', 'Vendor')], {
    stacked: true,
  }),
};

export const tokensByVendorModel: Panel = {
  id: 'gax-osd-tokens-by-vendor-model',
  title: 'Token Usage By Vendor and Model',
  view: RESPONSES,
  query: EGRESS,
  chart: 'donut',
  what: 'Sum of properties.aiTokenUsage.totalTokens by the top 5 vendors and their top 5 models.',
  vis: pieVis([
    sum('properties.aiTokenUsage.totalTokens', 'Total Tokens'),
    terms(VENDOR, 5, 'segment', 'Vendor'),
    terms(MODEL, 5, 'segment', 'Model'),
  ]),
};

export const tokensOverTime: Panel = {
  id: 'gax-osd-tokens-over-time',
  title: 'Token Usage Over Time',
  view: RESPONSES,
  query: EGRESS,
  chart: 'line',
  what: 'Sums of total, prompt and completion tokens over time.',
  vis: xyVis(
    'line',
    [
      sum('properties.aiTokenUsage.totalTokens', 'Total Tokens'),
      sum('properties.aiTokenUsage.promptTokens', 'Prompt Tokens'),
      sum('properties.aiTokenUsage.completionTokens', 'Completion Tokens'),
      dateHistogram(),
    ],
    { axisTitle: 'Token Count' },
  ),
};

export const avgTokensByVendor: Panel = {
  id: 'gax-osd-avg-tokens-by-vendor',
  title: 'Average Token Usage By Vendor',
  view: RESPONSES,
  query: EGRESS,
  chart: 'horizontal bar',
  what: 'Average prompt and completion tokens per call, top 5 vendors by calls.',
  vis: xyVis('horizontal_bar', [
    avg('properties.aiTokenUsage.promptTokens', 'Average Prompt Tokens'),
    avg('properties.aiTokenUsage.completionTokens', 'Average Completion Tokens'),
    terms(VENDOR, 5, 'segment', 'Vendor', '_count'),
  ]),
};

export const vendorSummary: Panel = {
  id: 'gax-osd-vendor-summary',
  title: 'Vendor Usage Summary',
  view: RESPONSES,
  query: EGRESS,
  chart: 'table',
  what: 'Per vendor: calls, distinct resources called and average backendLatency (ms).',
  vis: tableVis([
    count('Total API Calls'),
    cardinality('apiResourceTemplate.keyword', 'Total Endpoints'),
    avg('backendLatency', 'Average Latency (ms)'),
    terms(VENDOR, 10, 'bucket', 'Vendor'),
  ]),
};

export const tokensByModel: Panel = {
  id: 'gax-osd-tokens-by-model',
  title: 'Token Usage by Model',
  view: RESPONSES,
  query: EGRESS,
  chart: 'table',
  what: 'Per vendor and model: calls, token sums and average total tokens per call.',
  vis: tableVis([
    count('Calls'),
    sum('properties.aiTokenUsage.totalTokens', 'Total Tokens'),
    sum('properties.aiTokenUsage.promptTokens', 'Prompt Tokens'),
    sum('properties.aiTokenUsage.completionTokens', 'Completion Tokens'),
    avg('properties.aiTokenUsage.totalTokens', 'Average Total Tokens'),
    terms(VENDOR, 10, 'bucket', 'Vendor'),
    terms(MODEL, 10, 'bucket', 'Model'),
  ]),
};

export const egressStatusCodes: Panel = {
  id: 'gax-osd-egress-status-codes',
  title: 'AI Backend Responses by Status Code',
  view: ALL_EVENTS,
  query: EGRESS,
  chart: 'area',
  what: 'AI (egress) calls with a backend 4xx or 5xx (targetResponseCode) over time; 4xx are not errors.',
  vis: xyVis('area', [
    count('Count'),
    dateHistogram(),
    filters('group', [
      { label: '4xx (target)', query: 'targetResponseCode >= 400 and targetResponseCode < 500' },
      { label: '5xx (target)', query: 'targetResponseCode >= 500 and targetResponseCode < 600' },
    ]),
  ]),
};

export const egressErrorsByCategory: Panel = {
  id: 'gax-osd-egress-errors-by-category',
  title: 'Egress Errors By Category',
  view: FAULTS,
  query: EGRESS,
  chart: 'area, stacked',
  what: 'Faulty AI (egress) calls over time by errorType.',
  vis: xyVis(
    'area',
    [count('Faults'), dateHistogram(), terms('errorType.keyword', 10, 'group', 'Category')],
    {
      stacked: true,
    },
  ),
};

export const egressErrors: Panel = {
  id: 'gax-osd-egress-errors',
  title: 'AI Errors Over Time',
  view: ALL_EVENTS,
  query: `(${EGRESS}) and (${ERRORS})`,
  chart: 'histogram, stacked',
  what: `Errors (\`${ERRORS}\`) of AI (egress) calls over time by vendor.`,
  vis: xyVis('histogram', [count('Errors'), dateHistogram(), terms(VENDOR, 5, 'group', 'Vendor')], {
    stacked: true,
  }),
};

export const egressLatency: Panel = {
  id: 'gax-osd-egress-latency',
  title: 'Egress Response Latency',
  view: RESPONSES,
  query: EGRESS,
  chart: 'line',
  what: 'Median and 95th percentile of backendLatency (time at the AI vendor, ms) of AI calls.',
  vis: xyVis(
    'line',
    [
      median('backendLatency', 'Median'),
      percentiles('backendLatency', [95], '95th percentile'),
      dateHistogram(),
    ],
    { axisTitle: 'Backend latency (ms)' },
  ),
};

export const egressLatencyPercentiles: Panel = {
  id: 'gax-osd-egress-latency-percentiles',
  title: 'AI API Latency Percentiles (p50, p95, p99)',
  view: RESPONSES,
  query: EGRESS,
  chart: 'line',
  what: '50th, 95th and 99th percentile of responseLatency (total gateway time, ms) of AI calls.',
  vis: xyVis('line', [percentiles('responseLatency', [50, 95, 99], 'Latency'), dateHistogram()], {
    axisTitle: 'ms',
  }),
};

export const latencyByModel: Panel = {
  id: 'gax-osd-latency-by-model',
  title: 'Latency by Vendor and Model',
  view: RESPONSES,
  query: EGRESS,
  chart: 'table',
  what: 'Calls, median and 95th percentile backendLatency (ms) per vendor and model.',
  vis: tableVis([
    count('Calls'),
    median('backendLatency', 'Median (ms)'),
    percentiles('backendLatency', [95], 'p95 (ms)'),
    terms(VENDOR, 10, 'bucket', 'Vendor', '_count'),
    terms(MODEL, 10, 'bucket', 'Model', '_count'),
  ]),
};
