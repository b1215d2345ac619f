/**
 * What the long-range dashboards share: their data views and the summed metrics. Every document
 * holds the absolute sums of its bucket, so every metric sums a column over the buckets (never
 * counts documents); an average is `sum(AGG_SUM_x) / sum(AGG_COUNT)`, exact over any range.
 */
import { INTEGER, metric, terms, dateHistogram as time } from './columns.js';
import { agg, div, type Expr } from './formula.js';
import { summaryView } from './summaries-catalog.js';

/** The data views of the tables the dashboards read. */
export const REQ = summaryView('APIM_ReqCountAgg');
export const FAULTS = summaryView('ApiFaultyInvocationAgg');
export const THROTTLED = summaryView('ApiThrottledOutAgg');
export const EXE = summaryView('ApiExeTime');
export const USERS = summaryView('ApiUserPerAppAgg');
export const LAST = summaryView('ApiLastAccessSummary');

/** A long-range Lens id (`gax-lens-long-range-<slug>`; the panel index is `long-range-<slug>`). */
export const id = (slug: string): string => `gax-lens-long-range-${slug}`;
/** Daily time buckets (the granularity the panels read). */
export const DAY = time('1d');
/** `sum(field)` over the buckets. */
export const sum = (field: string) => agg('sum', field);
/** `left + right` */
export const plus = (left: Expr, right: Expr): Expr => ({ kind: 'bin', op: '+', left, right });
/** The summed metrics the dashboards share. */
export const requests = metric('Requests', sum('AGG_SUM_successCount'), INTEGER);
export const throttled = metric('Throttled', sum('AGG_SUM_throttleCount'), INTEGER);
export const count = metric('Requests', sum('AGG_COUNT'), INTEGER);
/** `sum(numerator) / sum(AGG_COUNT)`: an exact average over any range (ms). */
export const average = (label: string, numerator: Expr) =>
  metric(label, div(numerator, sum('AGG_COUNT')), INTEGER);
export const avgResponse = average('Average response latency (ms)', sum('AGG_SUM_responseTime'));
export const avgBackend = average('Average backend latency (ms)', sum('AGG_SUM_backendTime'));
export const avgMediation = average(
  'Average mediation latency (ms)',
  plus(sum('AGG_SUM_requestMedLat'), sum('AGG_SUM_responseMedLat')),
);
/** Top 10 APIs and applications, ranked by the layer's first summed metric. */
export const API = terms('apiName', 10, 'API');
export const APP = terms('applicationName', 10, 'Application');
