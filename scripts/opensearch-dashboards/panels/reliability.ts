/** Our additions: the availability SLO and error budget, applications and consumers. */
import { avg, cardinality, count, countWhere, dateHistogram, percentiles, terms } from '../aggs.js';
import { ALL_EVENTS, FAULTS, RESPONSES } from '../index-patterns.js';
import { ERRORS, type Panel } from '../panel.js';
import { math, metricVis, pieVis, ratio, tableVis, tsvbVis, xyVis } from '../vis.js';

/** The availability objective and its error budget (change both together, then regenerate). */
export const SLO_TARGET = 0.999;
export const ERROR_BUDGET = 0.001;
/** Available: anything but a 5xx to the client (4xx are the client's fault). */
const AVAILABLE = 'proxyResponseCode < 500';
const SLOW_MS = 1000;

export const successRate: Panel = {
  id: 'gax-osd-slo-success-rate',
  title: 'Success Rate',
  view: ALL_EVENTS,
  chart: 'TSVB metric',
  what: `count(${AVAILABLE}) / count() over the time range; objective ${SLO_TARGET * 100} %.`,
  vis: tsvbVis('metric', ALL_EVENTS.title, [
    { id: 'sr', label: 'Success Rate', metrics: [ratio('ok', AVAILABLE)], formatter: 'percent' },
  ]),
};

const burn = [ratio('ok', AVAILABLE), math('burn', { ok: 'ok' }, `(1 - params.ok) / ${ERROR_BUDGET}`)];

export const budgetConsumed: Panel = {
  id: 'gax-osd-slo-budget-consumed',
  title: 'Error Budget Consumed',
  view: ALL_EVENTS,
  chart: 'TSVB metric',
  what: `(1 − success rate) / ${ERROR_BUDGET}: 100 % means the whole budget of the time range is spent.`,
  vis: tsvbVis('metric', ALL_EVENTS.title, [
    { id: 'budget', label: 'Error Budget Consumed', metrics: burn, formatter: 'percent' },
  ]),
};

export const failed5xx: Panel = {
  id: 'gax-osd-slo-5xx',
  title: 'Failed Requests (5xx)',
  view: ALL_EVENTS,
  query: 'proxyResponseCode >= 500',
  chart: 'metric',
  what: 'Events with proxyResponseCode >= 500: what the error budget is spent on.',
  vis: metricVis([count('Failed Requests (5xx)')]),
};

export const successOverTime: Panel = {
  id: 'gax-osd-slo-success-over-time',
  title: 'Success Rate Over Time',
  view: ALL_EVENTS,
  chart: 'TSVB time series',
  what: `Success rate per interval against the ${SLO_TARGET * 100} % objective.`,
  vis: tsvbVis('timeseries', ALL_EVENTS.title, [
    { id: 'sr', label: 'Success Rate', metrics: [ratio('ok', AVAILABLE)], formatter: 'percent' },
  ]),
};

export const burnRate: Panel = {
  id: 'gax-osd-slo-burn-rate',
  title: 'Error Budget Burn Rate',
  view: ALL_EVENTS,
  chart: 'TSVB time series',
  what: `(1 − success rate) / ${ERROR_BUDGET} per interval. Above 1 the budget runs out before the SLO window ends; 14.4 over 1 h spends 2 % of a 30-day budget.`,
  vis: tsvbVis('timeseries', ALL_EVENTS.title, [{ id: 'burn', label: 'Burn rate', metrics: burn }]),
};

export const successByApi: Panel = {
  id: 'gax-osd-slo-by-api',
  title: 'Success Rate by API',
  view: ALL_EVENTS,
  chart: 'TSVB table',
  what: 'Requests, 5xx and success rate of the 20 busiest APIs.',
  vis: tsvbVis(
    'table',
    ALL_EVENTS.title,
    [
      { id: 'req', label: 'Requests', metrics: [{ id: 'n', type: 'count' }] },
      { id: 'fail', label: '5xx', metrics: [{ id: 'n', type: 'count' }], filter: 'proxyResponseCode >= 500' },
      { id: 'sr', label: 'Success Rate', metrics: [ratio('ok', AVAILABLE)], formatter: 'percent' },
    ],
    { field: 'apiName.keyword', label: 'API', rows: 20 },
  ),
};

export const withinLatency: Panel = {
  id: 'gax-osd-slo-latency',
  title: `Responses Within ${SLOW_MS} ms`,
  view: RESPONSES,
  chart: 'TSVB time series',
  what: `Share of response events with responseLatency <= ${SLOW_MS} ms, against 99 %.`,
  vis: tsvbVis('timeseries', RESPONSES.title, [
    {
      id: 'fast',
      label: `<= ${SLOW_MS} ms`,
      metrics: [ratio('fast', `responseLatency <= ${SLOW_MS}`)],
      formatter: 'percent',
    },
  ]),
};

export const applicationsTable: Panel = {
  id: 'gax-osd-applications',
  title: 'Applications',
  view: ALL_EVENTS,
  chart: 'TSVB table',
  what: `Per application (the 50 busiest): events, errors (\`${ERRORS}\`), error rate (errors / all events) and p95 responseLatency (ms).`,
  vis: tsvbVis(
    'table',
    ALL_EVENTS.title,
    [
      { id: 'ev', label: 'Events', metrics: [{ id: 'n', type: 'count' }] },
      { id: 'err', label: 'Errors', metrics: [{ id: 'n', type: 'count' }], filter: ERRORS },
      { id: 'rate', label: 'Error Rate', metrics: [ratio('r', ERRORS)], formatter: 'percent' },
      {
        id: 'p95',
        label: 'p95 latency (ms)',
        metrics: [
          {
            id: 'p',
            type: 'percentile',
            field: 'responseLatency',
            percentiles: [{ id: 'p95', value: 95, mode: 'line' }],
          },
        ],
      },
    ],
    { field: 'applicationName.keyword', label: 'Application', rows: 50 },
  ),
};

export const applicationsByOwner: Panel = {
  id: 'gax-osd-applications-by-owner',
  title: 'Applications by Owner',
  view: ALL_EVENTS,
  chart: 'table',
  what: `Events and errors (\`${ERRORS}\`) per application and owner (applicationOwner).`,
  vis: tableVis([
    count('Events'),
    countWhere(ERRORS, 'Errors'),
    terms('applicationName.keyword', 20, 'bucket', 'Application'),
    terms('applicationOwner.keyword', 3, 'bucket', 'Owner'),
  ]),
};

export const trafficByApplication: Panel = {
  id: 'gax-osd-traffic-by-application',
  title: 'Traffic by Application',
  view: ALL_EVENTS,
  chart: 'line',
  what: 'Events over time for the top 10 applications.',
  vis: xyVis('line', [
    count('Events'),
    dateHistogram(),
    terms('applicationName.keyword', 10, 'group', 'Application'),
  ]),
};

export const errorsByApplication: Panel = {
  id: 'gax-osd-errors-by-application',
  title: 'Errors by Application',
  view: ALL_EVENTS,
  query: ERRORS,
  chart: 'histogram, stacked',
  what: `Errors (\`${ERRORS}\`) over time for the 10 applications with most errors.`,
  vis: xyVis(
    'histogram',
    [count('Errors'), dateHistogram(), terms('applicationName.keyword', 10, 'group', 'Application')],
    {
      stacked: true,
    },
  ),
};

export const p95ByApplication: Panel = {
  id: 'gax-osd-p95-by-application',
  title: 'p95 Latency by Application (ms)',
  view: RESPONSES,
  chart: 'horizontal bar',
  what: 'p95 responseLatency of the 10 busiest applications.',
  vis: xyVis('horizontal_bar', [
    percentiles('responseLatency', [95], 'p95 latency (ms)'),
    terms('applicationName.keyword', 10, 'segment', 'Application', '_count'),
  ]),
};

export const faultsByApplication: Panel = {
  id: 'gax-osd-faults-by-application',
  title: 'Faults by Application and Category',
  view: FAULTS,
  chart: 'table',
  what: 'Faulty events per application, errorType and errorMessage.',
  vis: tableVis([
    count('Faults'),
    terms('applicationName.keyword', 10, 'bucket', 'Application'),
    terms('errorType.keyword', 5, 'bucket', 'Category'),
    terms('errorMessage.keyword', 5, 'bucket', 'Message'),
  ]),
};

export const endUsers: Panel = {
  id: 'gax-osd-end-users',
  title: 'End Users',
  view: ALL_EVENTS,
  chart: 'table',
  what: `Per userName: events, errors (\`${ERRORS}\`), distinct APIs and client IPs, average responseLatency (ms).`,
  vis: tableVis([
    count('Events'),
    countWhere(ERRORS, 'Errors'),
    cardinality('apiName.keyword', 'APIs'),
    cardinality('userIp.keyword', 'Client IPs'),
    avg('responseLatency', 'Average latency (ms)'),
    terms('userName.keyword', 20, 'bucket', 'User'),
  ]),
};

export const clientIps: Panel = {
  id: 'gax-osd-client-ips',
  title: 'Client IPs',
  view: ALL_EVENTS,
  chart: 'table',
  what: 'Per userIp (may be masked by the gateway): events, errors and distinct users.',
  vis: tableVis([
    count('Events'),
    countWhere(ERRORS, 'Errors'),
    cardinality('userName.keyword', 'Users'),
    terms('userIp.keyword', 20, 'bucket', 'Client IP'),
  ]),
};

export const trafficByUser: Panel = {
  id: 'gax-osd-traffic-by-user',
  title: 'Traffic by User',
  view: ALL_EVENTS,
  chart: 'line',
  what: 'Events over time for the top 10 users.',
  vis: xyVis('line', [count('Events'), dateHistogram(), terms('userName.keyword', 10, 'group', 'User')]),
};

export const topClientIps: Panel = {
  id: 'gax-osd-top-client-ips',
  title: 'Top Client IPs',
  view: ALL_EVENTS,
  chart: 'donut',
  what: 'Events by the top 10 userIp values.',
  vis: pieVis([count(), terms('userIp.keyword', 10, 'segment', 'Client IP')]),
};
