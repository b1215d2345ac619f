/** Headline panels: traffic, errors (ours and WSO2's), latency, AI tokens, the request summary. */

import { count, dateHistogram, filters, histogram, percentiles, sum } from '../aggs.js';
import { ALL_EVENTS, FAULTS, RESPONSES } from '../index-patterns.js';
import { ERRORS, type Panel, WSO2_2XX, WSO2_4XX } from '../panel.js';
import { heatmapVis, metricVis, ratio, tsvbVis, xyVis } from '../vis.js';

export const totalTraffic: Panel = {
  id: 'gax-osd-total-traffic',
  title: 'Total Traffic',
  view: ALL_EVENTS,
  chart: 'metric',
  what: 'Every event (responses and faults) in the time range.',
  vis: metricVis([count('Total Traffic')]),
};

export const errorCount: Panel = {
  id: 'gax-osd-error-count',
  title: 'Error Request Count',
  view: ALL_EVENTS,
  query: ERRORS,
  chart: 'metric',
  what: `Errors: a faulty event (any errorType, throttling included) or a response with a 5xx proxyResponseCode; a 4xx response is not an error (\`${ERRORS}\`).`,
  vis: metricVis([count('Error Request Count')]),
};

export const wso2ErrorCount: Panel = {
  id: 'gax-osd-error-count-wso2',
  title: 'Faulty Requests (WSO2 Error Request Count)',
  view: FAULTS,
  chart: 'metric',
  what: "WSO2's definition of its Error Request Count: faulty events only (5xx responses left out).",
  vis: metricVis([count('Faulty Requests (WSO2)')]),
};

export const errorRate: Panel = {
  id: 'gax-osd-error-rate',
  title: 'Error Rate (all errors)',
  view: ALL_EVENTS,
  chart: 'TSVB metric',
  what: `Errors (\`${ERRORS}\`) / all events, in %, over the time range. Not WSO2's definition: see Error Rate (WSO2).`,
  vis: tsvbVis('metric', ALL_EVENTS.title, [
    {
      id: 'errors',
      label: 'Error Rate (all errors)',
      metrics: [ratio('rate', ERRORS)],
      formatter: 'percent',
    },
  ]),
};

export const wso2ErrorRate: Panel = {
  id: 'gax-osd-error-rate-wso2',
  title: 'Error Rate (WSO2)',
  view: RESPONSES,
  chart: 'TSVB metric',
  what: "WSO2's definition (its Average Error Rate): 4xx / (2xx + 4xx) of response events; faults and 5xx left out.",
  vis: tsvbVis('metric', RESPONSES.title, [
    {
      id: 'wso2',
      label: 'Error Rate (WSO2)',
      metrics: [ratio('rate', WSO2_4XX, `(${WSO2_2XX}) or (${WSO2_4XX})`)],
      formatter: 'percent',
    },
  ]),
};

export const p95Latency: Panel = {
  id: 'gax-osd-p95-latency',
  title: '95th Percentile Latency (ms)',
  view: RESPONSES,
  chart: 'metric',
  what: '95th percentile of responseLatency (total gateway time, ms) of response events.',
  vis: metricVis([percentiles('responseLatency', [95], 'Latency (ms)')]),
};

export const totalTokens: Panel = {
  id: 'gax-osd-total-tokens',
  title: 'Total Token Usage',
  view: RESPONSES,
  chart: 'metric',
  what: "Sum of properties.aiTokenUsage.totalTokens (WSO2's total, which may exceed prompt + completion).",
  vis: metricVis([sum('properties.aiTokenUsage.totalTokens', 'Total Token Usage')]),
};

export const promptTokens: Panel = {
  id: 'gax-osd-prompt-tokens',
  title: 'Prompt Token Usage',
  view: RESPONSES,
  chart: 'metric',
  what: 'Sum of properties.aiTokenUsage.promptTokens.',
  vis: metricVis([sum('properties.aiTokenUsage.promptTokens', 'Prompt Token Usage')]),
};

export const completionTokens: Panel = {
  id: 'gax-osd-completion-tokens',
  title: 'Completion Token Usage',
  view: RESPONSES,
  chart: 'metric',
  what: 'Sum of properties.aiTokenUsage.completionTokens.',
  vis: metricVis([sum('properties.aiTokenUsage.completionTokens', 'Completion Token Usage')]),
};

export const requestSummary: Panel = {
  id: 'gax-osd-request-summary',
  title: 'API Request Summary',
  view: ALL_EVENTS,
  chart: 'area, stacked',
  what: `Successful responses (proxyResponseCode < 400), 4xx responses (not errors) and errors (\`${ERRORS}\`) over time.`,
  vis: xyVis(
    'area',
    [
      count('Requests'),
      dateHistogram(),
      filters('group', [
        { label: 'Successful', query: 'eventType : "response" and proxyResponseCode < 400' },
        { label: '4xx (not errors)', query: `eventType : "response" and ${WSO2_4XX}` },
        { label: 'Errors', query: ERRORS },
      ]),
    ],
    { stacked: true, axisTitle: 'Requests' },
  ),
};

export const aiTokenHeatmap: Panel = {
  id: 'gax-osd-ai-token-heatmap',
  title: 'AI Token Usage',
  view: RESPONSES,
  chart: 'heatmap',
  what: 'Total tokens (sum of properties.aiTokenUsage.totalTokens) per day and UTC hour (properties.aiTokenUsage.hour).',
  vis: heatmapVis([
    sum('properties.aiTokenUsage.totalTokens', 'Total Tokens'),
    histogram('properties.aiTokenUsage.hour', 'group', { min: 0, max: 23 }, 'Hour (UTC)'),
    dateHistogram('segment', 'd'),
  ]),
};
