/** The bundled Datadog dashboards and monitors, in navigation order, and the files they are written to. */
import { buildDashboard, type DashboardSpec, fileOf } from './dashboard.js';
import { ai } from './dashboards/ai.js';
import { api } from './dashboards/api.js';
import { backends } from './dashboards/backends.js';
import { consumers } from './dashboards/consumers.js';
import { devices } from './dashboards/devices.js';
import { errors } from './dashboards/errors.js';
import { latency } from './dashboards/latency.js';
import { overview } from './dashboards/overview.js';
import { buildMonitor, MONITOR_SPECS } from './monitors.js';
import { renderReadme } from './readme.js';

export { buildDashboard, fileOf } from './dashboard.js';
export { buildMonitor, MONITOR_SPECS } from './monitors.js';

export const DASHBOARD_SPECS: readonly DashboardSpec[] = [
  overview,
  latency,
  errors,
  api,
  devices,
  backends,
  consumers,
  ai,
];

export const MONITORS_FILE = 'monitors.json';
export const README_FILE = 'README.md';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of dashboards/datadog/ by name, with the text it should have. */
export function renderDatadogBundle(): { name: string; text: string }[] {
  const keys = new Set<string>();
  for (const key of [...DASHBOARD_SPECS, ...MONITOR_SPECS].map((s) => s.key)) {
    if (keys.has(key)) throw new Error(`gax key ${key} is used twice`);
    keys.add(key);
  }
  return [
    ...DASHBOARD_SPECS.map((d) => ({ name: fileOf(d), text: json(buildDashboard(d)) })),
    { name: MONITORS_FILE, text: json(MONITOR_SPECS.map(buildMonitor)) },
    { name: README_FILE, text: renderReadme(DASHBOARD_SPECS, MONITOR_SPECS) },
  ];
}
