/**
 * Filter controls: Kibana 8's dashboard control group (`controlGroupInput`), one options-list
 * control per field, chained hierarchically (each control offers only the values left by the
 * controls before it, e.g. API → application). WSO2's exports use legacy input controls for the
 * same fields; these replace them.
 *
 * Saved shape (Kibana 8.9, after its reference extraction): `panelsJSON` maps each control id to
 * `{ order, width, grow, type: "optionsListControl", explicitInput: { id, fieldName, title, … } }`
 * and the data view moves out of `explicitInput.dataViewId` into the dashboard reference
 * `controlGroup_<id>:optionsListDataView`.
 */
import { DASHBOARDS, type DashboardEntry } from './catalog.js';
import { MODEL, VENDOR } from './dashboards/common.js';
import { ALL_EVENTS, type KibanaDataView, RESPONSES } from './data-views.js';
import { canonicalJson, type Reference } from './saved-object.js';

/** The fields a dashboard can be filtered on, with the control's label. */
export const CONTROL_FIELDS = {
  /** WSO2's v1 export filters its panels to `apiCreatorTenantDomain.keyword : "carbon.super"`. */
  tenant: { title: 'Tenant', field: 'apiCreatorTenantDomain.keyword' },
  api: { title: 'API', field: 'apiName.keyword' },
  version: { title: 'API version', field: 'apiVersion.keyword' },
  application: { title: 'Application', field: 'applicationName.keyword' },
  user: { title: 'Username', field: 'userName.keyword' },
  vendor: { title: 'AI vendor', field: VENDOR },
  model: { title: 'AI model', field: MODEL },
} as const satisfies Record<string, { readonly title: string; readonly field: string }>;

export type ControlKind = keyof typeof CONTROL_FIELDS;

/** A dashboard's controls: their options come from `dataView`; `chain` is left to right. */
export interface ControlsSpec {
  readonly dataView: KibanaDataView;
  readonly chain: readonly ControlKind[];
}

const on = (dataView: KibanaDataView, ...chain: ControlKind[]): ControlsSpec => ({ dataView, chain });

/**
 * The controls of every dashboard. WSO2's: API → application (Traffic), API → version (API
 * Analytics), username → API, application (User Analytics), API (Latency), vendor, model (Egress),
 * tenant (v1: Overview, Traffic, Errors, Latency, Cache, Devices). The others are ours.
 */
export const DASHBOARD_CONTROLS = {
  home: on(ALL_EVENTS, 'tenant', 'api'),
  ingressOverview: on(ALL_EVENTS, 'tenant', 'api'),
  ingressTraffic: on(RESPONSES, 'tenant', 'api', 'application'),
  ingressApis: on(RESPONSES, 'api', 'version'),
  ingressUsers: on(ALL_EVENTS, 'user', 'api', 'application'),
  ingressErrors: on(ALL_EVENTS, 'tenant', 'api'),
  ingressLatency: on(RESPONSES, 'tenant', 'api'),
  ingressCache: on(RESPONSES, 'tenant', 'api'),
  ingressDevices: on(ALL_EVENTS, 'tenant', 'api'),
  egressOverview: on(RESPONSES, 'vendor', 'model'),
  egressTraffic: on(RESPONSES, 'vendor', 'model'),
  egressErrors: on(ALL_EVENTS, 'vendor', 'model'),
  egressLatency: on(RESPONSES, 'vendor', 'model'),
  slo: on(ALL_EVENTS, 'api'),
  applications: on(ALL_EVENTS, 'api', 'application'),
  consumers: on(ALL_EVENTS, 'user'),
} as const satisfies Record<keyof typeof DASHBOARDS, ControlsSpec>;

/** The controls of `entry`, or undefined when it has none. */
export function controlsOf(entry: DashboardEntry): ControlsSpec | undefined {
  const key = (Object.keys(DASHBOARDS) as (keyof typeof DASHBOARDS)[]).find(
    (k) => DASHBOARDS[k].id === entry.id,
  );
  return key === undefined ? undefined : DASHBOARD_CONTROLS[key];
}

/** The reference name Kibana's extraction gives a control's data view. */
export const controlReferenceName = (controlId: string): string =>
  `controlGroup_${controlId}:optionsListDataView`;

/** Filters, query and time range of the dashboard apply to the controls' options too. */
const IGNORE_PARENT_SETTINGS = {
  ignoreFilters: false,
  ignoreQuery: false,
  ignoreTimerange: false,
  ignoreValidations: false,
};

/** `attributes.controlGroupInput` and the data view references of a dashboard's controls. */
export function controlGroup(
  entry: DashboardEntry,
  spec: ControlsSpec,
): { controlGroupInput: Record<string, string>; references: Reference[] } {
  const slug = entry.id.replace(/^gax-/, '');
  const panels: Record<string, object> = {};
  const references: Reference[] = [];
  spec.chain.forEach((kind, order) => {
    const { title, field } = CONTROL_FIELDS[kind];
    const id = `${slug}-${kind}`;
    panels[id] = {
      order,
      width: 'medium',
      grow: true,
      type: 'optionsListControl',
      explicitInput: { id, fieldName: field, title, selectedOptions: [], enhancements: {} },
    };
    references.push({ name: controlReferenceName(id), type: 'index-pattern', id: spec.dataView.id });
  });
  return {
    controlGroupInput: {
      controlStyle: 'oneLine',
      chainingSystem: 'HIERARCHICAL',
      ignoreParentSettingsJSON: canonicalJson(IGNORE_PARENT_SETTINGS),
      panelsJSON: canonicalJson(panels),
    },
    references,
  };
}
