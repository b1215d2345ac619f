import { DASHBOARDS } from '../catalog.js';
import { DECIMAL_2, dateHistogram, metric, PERCENT, PERCENT_3, terms } from '../columns.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { ALL_EVENTS, RESPONSES } from '../data-views.js';
import { count, div, num, sub } from '../formula.js';
import { metricLens, tableLens, xyLens } from '../lens.js';
import { KQL, lensId } from './common.js';

/** The availability objective the SLO panels are drawn against: 99.9 % of requests not 5xx. */
export const SLO_TARGET = 0.999;
/** The error budget: the share of requests allowed to fail, 1 − SLO_TARGET. */
export const ERROR_BUDGET = 0.001;
/** Latency objective: responses within this many ms (the share is drawn against 99 %). */
export const LATENCY_SLO_MS = 1000;

/** Success rate: requests not answered with a 5xx over all requests (faults included). */
const successRate = div(count(KQL.served), count());
/** Burn rate: the error rate (1 − success rate) over the budget; 1 spends the budget exactly. */
const burnRate = div(sub(num(1), successRate), num(ERROR_BUDGET));

/** SLO and error budget: availability against a 99.9 % objective (WSO2 has no SLO view). */
export const slo: DashboardSpec = {
  entry: DASHBOARDS.slo,
  description: `Availability SLO ${SLO_TARGET * 100} % (${KQL.served} over all events) and its error budget burn.`,
  rows: [
    [
      panel(
        metricLens({
          id: lensId('slo-success-rate'),
          title: 'Success Rate',
          description: `count(${KQL.served}) / count() over the time range; objective ${SLO_TARGET * 100} %.`,
          dataView: ALL_EVENTS,
          metric: metric('Success rate', successRate, PERCENT_3),
        }),
        16,
        7,
      ),
      panel(
        metricLens({
          id: lensId('slo-budget-consumed'),
          title: 'Error Budget Consumed',
          description: `(1 − success rate) / ${ERROR_BUDGET}: 100 % means the whole budget of the time range is spent.`,
          dataView: ALL_EVENTS,
          metric: metric('Error budget consumed', burnRate, PERCENT),
        }),
        16,
        7,
      ),
      panel(
        metricLens({
          id: lensId('slo-server-errors'),
          title: 'Failed Requests (5xx)',
          description: `Events with ${KQL.serverError}: what the error budget is spent on.`,
          dataView: ALL_EVENTS,
          metric: metric('5xx requests', count(KQL.serverError)),
        }),
        16,
        7,
      ),
    ],
    [
      panel(
        xyLens({
          id: lensId('slo-success-rate-over-time'),
          title: 'Success Rate Over Time',
          description: `Success rate per interval against the ${SLO_TARGET * 100} % objective.`,
          dataView: ALL_EVENTS,
          series: 'line',
          x: dateHistogram(),
          y: [metric('Success rate', successRate, PERCENT_3)],
          referenceLines: [{ kind: 'static', label: `Objective ${SLO_TARGET * 100} %`, value: SLO_TARGET }],
          dataBounds: true,
        }),
        24,
        13,
      ),
      panel(
        xyLens({
          id: lensId('slo-burn-rate'),
          title: 'Error Budget Burn Rate',
          description: `(1 − success rate) / ${ERROR_BUDGET} per interval. Above 1 the budget runs out before the SLO window ends; 14.4 over 1 h spends 2 % of a 30-day budget.`,
          dataView: ALL_EVENTS,
          series: 'line',
          x: dateHistogram(),
          y: [metric('Burn rate', burnRate, DECIMAL_2)],
          referenceLines: [{ kind: 'static', label: 'Sustainable (1)', value: 1 }],
        }),
        24,
        13,
      ),
    ],
    [
      panel(
        tableLens({
          id: lensId('slo-by-api'),
          title: 'Success Rate by API',
          description: 'Requests, 5xx and success rate of the 20 busiest APIs, worst first.',
          dataView: ALL_EVENTS,
          rows: [terms('apiName.keyword', 20, 'API', { other: false })],
          metrics: [
            metric('Requests', count()),
            metric('5xx', count(KQL.serverError)),
            metric('Success rate', successRate, PERCENT_3),
          ],
          sortBy: 1,
        }),
        24,
        14,
      ),
      panel(
        xyLens({
          id: lensId('slo-latency'),
          title: `Responses Within ${LATENCY_SLO_MS} ms`,
          description: `Share of response events with responseLatency <= ${LATENCY_SLO_MS} ms, against 99 %.`,
          dataView: RESPONSES,
          series: 'line',
          x: dateHistogram(),
          y: [
            metric(
              `Within ${LATENCY_SLO_MS} ms`,
              div(count(`responseLatency <= ${LATENCY_SLO_MS}`), count()),
              PERCENT,
            ),
          ],
          referenceLines: [{ kind: 'static', label: 'Objective 99 %', value: 0.99 }],
          dataBounds: true,
        }),
        24,
        14,
      ),
    ],
  ],
};
