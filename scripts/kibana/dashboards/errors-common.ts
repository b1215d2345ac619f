/** Error panels shared by the Ingress and Egress error dashboards. */
import { dateHistogram, filters, metric } from '../columns.js';
import type { KibanaDataView } from '../data-views.js';
import { count } from '../formula.js';
import { xyLens } from '../lens.js';
import type { SavedObject } from '../saved-object.js';

/** WSO2's fault categories (`errorType`) with WSO2's legend labels; GUARDRAIL_FAULT is newer. */
export const ERROR_CATEGORIES = filters('Category', [
  { label: 'Authentication', kql: 'errorType.keyword : "AUTH"' },
  { label: 'Throttling', kql: 'errorType.keyword : "THROTTLED"' },
  { label: 'Target Connectivity', kql: 'errorType.keyword : "TARGET_CONNECTIVITY"' },
  { label: 'Guardrail', kql: 'errorType.keyword : "GUARDRAIL_FAULT"' },
  { label: 'Other', kql: 'errorType.keyword : "OTHER"' },
]);

/** Faulty events over time split by category. */
export function errorsByCategory(id: string, dataView: KibanaDataView, query?: string): SavedObject {
  return xyLens({
    id,
    title: 'Errors By Category',
    description: 'Faulty events over time by errorType.',
    dataView,
    ...(query === undefined ? {} : { query }),
    series: 'area_stacked',
    x: dateHistogram(),
    split: ERROR_CATEGORIES,
    y: [metric('Errors', count())],
  });
}
