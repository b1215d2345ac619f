import { DASHBOARDS } from '../catalog.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { requestsSearch } from '../search.js';
import {
  aiTokenHeatmap,
  completionTokens,
  errorCount,
  errorRate,
  p95Latency,
  promptTokens,
  requestSummary,
  totalTokens,
  totalTraffic,
  wso2ErrorRate,
} from './common.js';

/** Home: the headline numbers of ingress traffic and AI token usage (WSO2's v3 "Overview"). */
export const home: DashboardSpec = {
  entry: DASHBOARDS.home,
  description:
    'Traffic, errors, latency and AI token usage of the API gateway at a glance, and the latest requests (per-request audit).',
  rows: [
    [
      panel(totalTraffic, 9, 7),
      panel(errorCount, 9, 7),
      panel(errorRate, 9, 7),
      panel(wso2ErrorRate, 9, 7),
      panel(p95Latency, 12, 7),
    ],
    [panel(totalTokens, 16, 7), panel(promptTokens, 16, 7), panel(completionTokens, 16, 7)],
    [panel(requestSummary, 48, 14)],
    [panel(aiTokenHeatmap, 48, 14)],
    [panel(requestsSearch, 48, 15)],
  ],
};
