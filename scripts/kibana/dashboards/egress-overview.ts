import { DASHBOARDS } from '../catalog.js';
import { type DashboardSpec, panel } from '../dashboard.js';
import { aiTokenHeatmap, completionTokens, promptTokens, totalTokens } from './common.js';
import { aiRequests, tokensByVendorModel } from './egress-common.js';

/** Egress (AI) Overview: WSO2's token panels plus call count and vendor/model split. */
export const egressOverview: DashboardSpec = {
  entry: DASHBOARDS.egressOverview,
  description: 'AI API calls and token usage (prompt, completion, total) by time, vendor and model.',
  rows: [
    [
      panel(aiRequests, 12, 7),
      panel(totalTokens, 12, 7),
      panel(promptTokens, 12, 7),
      panel(completionTokens, 12, 7),
    ],
    [panel(aiTokenHeatmap, 30, 15), panel(tokensByVendorModel, 18, 15)],
  ],
};
