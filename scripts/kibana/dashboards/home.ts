import { DASHBOARDS } from '../catalog.js';
import { type DashboardSpec, panel } from '../dashboard.js';
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
} from './common.js';

/** Home: the headline numbers of ingress traffic and AI token usage (WSO2's v3 "Overview"). */
export const home: DashboardSpec = {
  entry: DASHBOARDS.home,
  description: 'Traffic, errors, latency and AI token usage of the API gateway at a glance.',
  rows: [
    [panel(totalTraffic, 12, 7), panel(errorCount, 12, 7), panel(errorRate, 12, 7), panel(p95Latency, 12, 7)],
    [panel(totalTokens, 16, 7), panel(promptTokens, 16, 7), panel(completionTokens, 16, 7)],
    [panel(requestSummary, 48, 14)],
    [panel(aiTokenHeatmap, 48, 14)],
  ],
};
