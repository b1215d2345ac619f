import { DASHBOARDS } from '../catalog.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { errorCount, errorRate, p95Latency, requestSummary, totalTraffic, wso2ErrorRate } from './common.js';

/** Ingress Overview: WSO2's "Ingress Overview" panels. */
export const ingressOverview: DashboardSpec = {
  entry: DASHBOARDS.ingressOverview,
  description:
    "Total traffic, errors, error rate (ours and WSO2's), p95 latency and the request summary of all APIs.",
  rows: [
    [
      panel(totalTraffic, 9, 7),
      panel(errorCount, 9, 7),
      panel(errorRate, 9, 7),
      panel(wso2ErrorRate, 9, 7),
      panel(p95Latency, 12, 7),
    ],
    [panel(requestSummary, 48, 15)],
  ],
};
