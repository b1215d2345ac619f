/**
 * The five long-range dashboards on the summary indices, in navigation order. Every panel sums a
 * column over the buckets and reads one granularity (summaries-lens.ts adds `granularity : "DAYS"`).
 */
import type { SummaryDashboardSpec } from './summaries-dashboard.js';
import { longRangeErrors, longRangeTraffic } from './summaries-traffic.js';
import { longRangeApplications, longRangeLastAccess, longRangeLatency } from './summaries-usage.js';

/** The long-range dashboards, in navigation order. */
export const SUMMARY_DASHBOARD_SPECS: readonly SummaryDashboardSpec[] = [
  longRangeTraffic,
  longRangeErrors,
  longRangeLatency,
  longRangeApplications,
  longRangeLastAccess,
];
