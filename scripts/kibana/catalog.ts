/**
 * Every bundled dashboard's id, title and place in the navigation bar. Ids are `gax-…`, never
 * WSO2's, so WSO2's exported dashboards can live next to these.
 */

/** Navigation groups, in the order the navigation bar lists them. */
export const NAV_GROUPS = ['Home', 'Ingress', 'Egress (AI)', 'Reliability and consumers'] as const;

/** A dashboard's identity and navigation entry. */
export interface DashboardEntry {
  readonly id: string;
  readonly title: string;
  /** Link text in the navigation bar. */
  readonly short: string;
  readonly group: (typeof NAV_GROUPS)[number];
}

const entry = (
  slug: string,
  group: DashboardEntry['group'],
  short: string,
  title: string,
): DashboardEntry => ({
  id: `gax-${slug}`,
  title: `[gax] ${title}`,
  short,
  group,
});

/** The dashboards, in navigation order. */
export const DASHBOARDS = {
  home: entry('overview', 'Home', 'Overview', 'Overview'),
  ingressOverview: entry('ingress-overview', 'Ingress', 'Overview', 'Ingress Overview'),
  ingressTraffic: entry('ingress-traffic', 'Ingress', 'Traffic', 'Ingress Traffic'),
  ingressApis: entry('ingress-api-analytics', 'Ingress', 'API Analytics', 'Ingress API Analytics'),
  ingressUsers: entry('ingress-user-analytics', 'Ingress', 'User Analytics', 'Ingress User Analytics'),
  ingressErrors: entry('ingress-errors', 'Ingress', 'Errors', 'Ingress Errors'),
  ingressLatency: entry('ingress-latency', 'Ingress', 'Latency', 'Ingress Latency'),
  ingressCache: entry('ingress-cache', 'Ingress', 'Cache', 'Ingress Cache'),
  ingressDevices: entry('ingress-devices', 'Ingress', 'Devices', 'Ingress Devices'),
  egressOverview: entry('egress-overview', 'Egress (AI)', 'Overview', 'Egress (AI) Overview'),
  egressTraffic: entry('egress-traffic', 'Egress (AI)', 'Traffic', 'Egress (AI) Traffic'),
  egressErrors: entry('egress-errors', 'Egress (AI)', 'Errors', 'Egress (AI) Errors'),
  egressLatency: entry('egress-latency', 'Egress (AI)', 'Latency', 'Egress (AI) Latency'),
  slo: entry('slo', 'Reliability and consumers', 'SLO', 'SLO and Error Budget'),
  applications: entry('applications', 'Reliability and consumers', 'Applications', 'Applications'),
  consumers: entry('consumers', 'Reliability and consumers', 'Consumers', 'Consumers'),
} as const satisfies Record<string, DashboardEntry>;

/** The dashboards as a list, in navigation order. */
export const DASHBOARD_LIST: readonly DashboardEntry[] = Object.values(DASHBOARDS);
