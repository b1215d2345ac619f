/**
 * Queries and visualisations shared by several dashboards (the overview numbers, the request
 * summary and the AI token panels). A visualisation shown on two dashboards is one saved object.
 */
import { dateHistogram, INTEGER, metric, PERCENT, ranges } from '../columns.js';
import { ALL_EVENTS, RESPONSES } from '../data-views.js';
import { agg, count, div, percentile } from '../formula.js';
import { heatmapLens, metricLens, xyLens } from '../lens.js';

/** The id of a bundled Lens visualisation. */
export const lensId = (slug: string): string => `gax-lens-${slug}`;

/** KQL used across dashboards. */
export const KQL = {
  /**
   * An error (docs/metrics.md, one definition on every backend): a faulty event (any errorType,
   * throttling included) or a response whose proxyResponseCode is 5xx. A 4xx response is not one.
   */
  error: 'eventType : "faulty" or proxyResponseCode >= 500',
  /** Responses answered below 400 (neither an error nor a 4xx response). */
  success: 'eventType : "response" and proxyResponseCode < 400',
  /** Responses answered with a 4xx: the client's mistake, not an error. */
  clientErrorResponse: 'eventType : "response" and proxyResponseCode >= 400 and proxyResponseCode < 500',
  /** Availability: anything but a 5xx counts as served (4xx are the client's fault). */
  served: 'proxyResponseCode < 500',
  serverError: 'proxyResponseCode >= 500',
  /** 2xx to the client (WSO2's error-rate denominator, with 4xx). */
  ok: 'proxyResponseCode >= 200 and proxyResponseCode < 300',
  /** 4xx to the client (WSO2's error-rate numerator). */
  clientError: 'proxyResponseCode >= 400 and proxyResponseCode < 500',
  /** Egress (AI) APIs, as all of WSO2's Egress dashboards filter. */
  egress: 'properties.isEgress : true',
} as const;

/** The canonical AI vendor field (WSO2's 2024 export used the `vendor_name` copy). */
export const VENDOR = 'properties.aiMetadata.vendorName.keyword';
/** The AI model field. */
export const MODEL = 'properties.aiMetadata.model.keyword';
/** AI token counters (`properties.aiTokenUsage.*`). */
export const TOKENS = {
  total: 'properties.aiTokenUsage.totalTokens',
  prompt: 'properties.aiTokenUsage.promptTokens',
  completion: 'properties.aiTokenUsage.completionTokens',
} as const;

/** What an error is, as the panels that count errors state it. */
export const ERROR_DEFINITION =
  'a faulty event (any errorType, throttling included) or a response with a 5xx proxyResponseCode; a 4xx response is not an error';
/** How the bundle's error rate is computed, as every error-rate panel states it. */
export const ERROR_RATE_DEFINITION = `errors (${KQL.error}) / all events`;
/** WSO2's "Average Error Rate", as its panel states it. */
export const WSO2_ERROR_RATE_DEFINITION = '4xx / (2xx + 4xx) of response events';

/** Error rate (faults and 5xx responses over all events), as a percentage. */
export const errorRateExpr = div(count(KQL.error), count());
/** WSO2's error rate: 4xx over 2xx + 4xx (5xx and faults left out), as a percentage. */
export const wso2ErrorRateExpr = div(count(KQL.clientError), count(`(${KQL.ok}) or (${KQL.clientError})`));

/** Total traffic: every event. */
export const totalTraffic = metricLens({
  id: lensId('total-traffic'),
  title: 'Total Traffic',
  description: 'Every event (responses and faults) in the time range.',
  dataView: ALL_EVENTS,
  metric: metric('Total traffic', count()),
});

/** Error request count (faults and 5xx responses). */
export const errorCount = metricLens({
  id: lensId('error-count'),
  title: 'Error Request Count',
  description: `Errors: ${ERROR_DEFINITION} (${KQL.error}).`,
  dataView: ALL_EVENTS,
  metric: metric('Error requests', count(KQL.error)),
});

/** Error rate as this bundle defines it: faults and 5xx responses over every event. */
export const errorRate = metricLens({
  id: lensId('error-rate'),
  title: 'Error Rate (all errors)',
  description: `Error rate = ${ERROR_RATE_DEFINITION} (responses and faults), in %: an error is ${ERROR_DEFINITION}. Not WSO2's definition: see Error Rate (WSO2).`,
  dataView: ALL_EVENTS,
  metric: metric('Error rate', errorRateExpr, PERCENT),
});

/** WSO2's "Average Error Rate": 4xx over 2xx + 4xx of response events (5xx left out). */
export const wso2ErrorRate = metricLens({
  id: lensId('error-rate-wso2'),
  title: 'Error Rate (WSO2)',
  description: `WSO2's definition: error rate = ${WSO2_ERROR_RATE_DEFINITION} (proxyResponseCode; 5xx and faulty events left out), in %.`,
  dataView: RESPONSES,
  metric: metric('Error rate (WSO2)', wso2ErrorRateExpr, PERCENT),
});

/** 95th percentile gateway latency. */
export const p95Latency = metricLens({
  id: lensId('p95-latency'),
  title: '95th Percentile Latency (ms)',
  description: '95th percentile of responseLatency (total gateway time, ms) of response events.',
  dataView: RESPONSES,
  metric: metric('95th percentile latency (ms)', percentile('responseLatency', 95), INTEGER),
});

/** What "total tokens" means on every backend (docs/metrics.md), as the total token panels state it. */
export const TOTAL_TOKENS_DEFINITION =
  "WSO2's totalTokens, which may exceed prompt + completion (reasoning or cached tokens); the metrics backends' total over every token_type is the same number";

const tokenMetric = (slug: string, title: string, field: string) =>
  metricLens({
    id: lensId(slug),
    title,
    description:
      field === TOKENS.total
        ? `Sum of ${field} over AI (egress) responses: ${TOTAL_TOKENS_DEFINITION}.`
        : `Sum of ${field} over AI (egress) responses.`,
    dataView: RESPONSES,
    metric: metric(title, agg('sum', field), INTEGER),
  });

/** Sum of AI total tokens. */
export const totalTokens = tokenMetric('total-tokens', 'Total Token Usage', TOKENS.total);
/** Sum of AI prompt tokens. */
export const promptTokens = tokenMetric('prompt-tokens', 'Prompt Token Usage', TOKENS.prompt);
/** Sum of AI completion tokens. */
export const completionTokens = tokenMetric('completion-tokens', 'Completion Token Usage', TOKENS.completion);

/** Successes, errors and average latency over time (WSO2's "API Request Summary"). */
export const requestSummary = xyLens({
  id: lensId('request-summary'),
  title: 'API Request Summary',
  description: `Successful (${KQL.success}), 4xx (${KQL.clientErrorResponse}, not errors) and error (${KQL.error}) events over time; average responseLatency on the right axis.`,
  dataView: ALL_EVENTS,
  series: 'area',
  x: dateHistogram(),
  y: [
    metric('Success count', count(KQL.success)),
    metric('4xx count', count(KQL.clientErrorResponse)),
    metric('Error count', count(KQL.error)),
    metric('Average latency (ms)', agg('average', 'responseLatency'), INTEGER),
  ],
  rightAxis: [3],
});

const HOURS = Array.from({ length: 24 }, (_, h) => ({
  from: h,
  to: h + 1,
  label: `${String(h).padStart(2, '0')}:00`,
}));

/** AI tokens per day × UTC hour. */
export const aiTokenHeatmap = heatmapLens({
  id: lensId('ai-token-heatmap'),
  title: 'AI Token Usage',
  description: `Total tokens (sum of ${TOKENS.total}) per day and UTC hour of the request (properties.aiTokenUsage.hour).`,
  dataView: RESPONSES,
  x: dateHistogram('1d'),
  y: ranges('properties.aiTokenUsage.hour', 'Hour (UTC)', HOURS),
  value: metric('Total tokens', agg('sum', TOKENS.total), INTEGER),
});
