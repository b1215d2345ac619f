/**
 * The bundled Kibana saved objects: the three data views, then for each dashboard (in navigation
 * order) the objects it shows that are not listed yet, and the dashboards last.
 */
import { buildDashboard, type DashboardSpec } from './dashboard.js';
import { applications } from './dashboards/applications.js';
import { consumers } from './dashboards/consumers.js';
import { egressErrors } from './dashboards/egress-errors.js';
import { egressLatency } from './dashboards/egress-latency.js';
import { egressOverview } from './dashboards/egress-overview.js';
import { egressTraffic } from './dashboards/egress-traffic.js';
import { home } from './dashboards/home.js';
import { ingressApis } from './dashboards/ingress-api-analytics.js';
import { ingressCache } from './dashboards/ingress-cache.js';
import { ingressDevices } from './dashboards/ingress-devices.js';
import { ingressErrors } from './dashboards/ingress-errors.js';
import { ingressLatency } from './dashboards/ingress-latency.js';
import { ingressOverview } from './dashboards/ingress-overview.js';
import { ingressTraffic } from './dashboards/ingress-traffic.js';
import { ingressUsers } from './dashboards/ingress-user-analytics.js';
import { slo } from './dashboards/slo.js';
import { dataViewObjects } from './data-views.js';
import { canonicalJson, type SavedObject } from './saved-object.js';

export { toNdjson } from './saved-object.js';

/** Every dashboard, in navigation order. */
export const DASHBOARD_SPECS: readonly DashboardSpec[] = [
  home,
  ingressOverview,
  ingressTraffic,
  ingressApis,
  ingressUsers,
  ingressErrors,
  ingressLatency,
  ingressCache,
  ingressDevices,
  egressOverview,
  egressTraffic,
  egressErrors,
  egressLatency,
  slo,
  applications,
  consumers,
];

/** All saved objects of the bundle, each once, in file order. */
export function buildKibanaObjects(): SavedObject[] {
  const objects = new Map<string, SavedObject>();
  const add = (o: SavedObject): void => {
    const key = `${o.type}/${o.id}`;
    const known = objects.get(key);
    if (known !== undefined && canonicalJson(known) !== canonicalJson(o))
      throw new Error(`${key} is built twice with different content`);
    objects.set(key, o);
  };
  dataViewObjects().forEach(add);
  const built = DASHBOARD_SPECS.map(buildDashboard);
  for (const { children } of built) children.forEach(add);
  for (const { dashboard } of built) add(dashboard);
  return [...objects.values()];
}
