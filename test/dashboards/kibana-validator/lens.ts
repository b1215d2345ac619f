/** Lens state: datasource layers, columns, their fields and the visualization's accessors. */

import { isObject, type Json, type Reference } from './common.js';
import { checkKql } from './kql.js';

/** Field types Kibana can aggregate on (text only through its `.keyword` sub-field). */
const AGGREGATABLE = new Set(['keyword', 'long', 'double', 'boolean', 'date']);
/** Lens operations that read a document field (`sourceField`). */
const FIELD_OPERATIONS = new Set([
  'count',
  'sum',
  'average',
  'median',
  'percentile',
  'percentile_rank',
  'unique_count',
  'min',
  'max',
  'last_value',
  'standard_deviation',
  'terms',
  'date_histogram',
  'range',
]);
/** Lens operations computed from other columns or constants. */
const OTHER_OPERATIONS = new Set([
  'filters',
  'formula',
  'math',
  'static_value',
  'cumulative_sum',
  'differences',
  'moving_average',
  'counter_rate',
  'overall_sum',
  'overall_min',
  'overall_max',
  'overall_average',
  'time_scale',
]);
/** Keys of Lens visualization state that name columns of the enclosing `layerId`'s layer. */
const ACCESSOR_KEYS = new Set([
  'accessors',
  'xAccessor',
  'yAccessor',
  'splitAccessor',
  'valueAccessor',
  'metricAccessor',
  'secondaryMetricAccessor',
  'maxAccessor',
  'breakdownByAccessor',
  'primaryGroups',
  'secondaryGroups',
  'metrics',
  'columnId',
  'forAccessor',
]);
const LAYER_REF = 'indexpattern-datasource-layer-';

export function checkLens(
  attributes: Json,
  references: readonly Reference[],
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
): void {
  const state = attributes.state;
  if (typeof attributes.visualizationType !== 'string')
    report('attributes.visualizationType must be a string');
  if (!isObject(state)) {
    report('attributes.state must be an object');
    return;
  }
  const datasources = state.datasourceStates;
  const formBased = isObject(datasources) ? datasources.formBased : undefined;
  const layers = isObject(formBased) ? formBased.layers : undefined;
  if (!isObject(layers)) {
    report('state.datasourceStates.formBased.layers must be an object');
    return;
  }
  const kql = (query: unknown, where: string) => checkKql(query, where, fields, report);
  if (isObject(state.query)) kql(state.query.query, 'state.query');
  if (!Array.isArray(state.filters)) report('state.filters must be an array');
  const layerRefs = references.filter((r) => r.name.startsWith(LAYER_REF));
  for (const layerId of Object.keys(layers))
    if (!layerRefs.some((r) => r.name === `${LAYER_REF}${layerId}`))
      report(`layer "${layerId}" has no reference "${LAYER_REF}${layerId}"`);
  for (const r of layerRefs) {
    if (!(r.name.slice(LAYER_REF.length) in layers)) report(`reference "${r.name}" matches no layer`);
    if (r.type !== 'index-pattern') report(`reference "${r.name}" must be an index-pattern`);
  }
  const columnsOf = new Map<string, Set<string>>();
  for (const [layerId, layer] of Object.entries(layers)) {
    const columns = isObject(layer) && isObject(layer.columns) ? layer.columns : undefined;
    if (columns === undefined || !isObject(layer) || !Array.isArray(layer.columnOrder)) {
      report(`layer "${layerId}" needs columns and columnOrder`);
      continue;
    }
    const ids = new Set(Object.keys(columns));
    columnsOf.set(layerId, ids);
    const order = layer.columnOrder.map(String);
    if (order.length !== ids.size || !order.every((c) => ids.has(c)))
      report(`layer "${layerId}": columnOrder does not list exactly its columns`);
    for (const [columnId, column] of Object.entries(columns))
      checkColumn(column, `layer "${layerId}" column ${columnId}`, ids, fields, report, kql);
  }
  if (isObject(state.visualization)) checkAccessors(state.visualization, undefined, columnsOf, report);
  else report('state.visualization must be an object');
}

function checkColumn(
  column: unknown,
  where: string,
  ids: ReadonlySet<string>,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
  kql: (query: unknown, where: string) => void,
): void {
  if (!isObject(column)) {
    report(`${where} is not an object`);
    return;
  }
  const op = column.operationType;
  if (typeof op !== 'string' || !(FIELD_OPERATIONS.has(op) || OTHER_OPERATIONS.has(op))) {
    report(`${where}: unknown operationType ${JSON.stringify(op)}`);
    return;
  }
  if (
    typeof column.label !== 'string' ||
    typeof column.isBucketed !== 'boolean' ||
    typeof column.dataType !== 'string'
  )
    report(`${where}: needs label, dataType and isBucketed`);
  const field = column.sourceField;
  if (FIELD_OPERATIONS.has(op)) {
    if (typeof field !== 'string') report(`${where} (${op}) needs a sourceField`);
    else if (!(op === 'count' && field === '___records___')) {
      const type = fields.get(field);
      if (type === undefined) report(`${where} (${op}) aggregates unknown field "${field}"`);
      else if (!AGGREGATABLE.has(type))
        report(`${where} (${op}) aggregates "${field}", which is not aggregatable (${type})`);
    }
  }
  for (const ref of Array.isArray(column.references) ? column.references : [])
    if (!ids.has(String(ref))) report(`${where} references missing column ${String(ref)}`);
  if (isObject(column.filter)) kql(column.filter.query, where);
  const params = isObject(column.params) ? column.params : {};
  if (
    op === 'terms' &&
    isObject(params.orderBy) &&
    params.orderBy.type === 'column' &&
    !ids.has(String(params.orderBy.columnId))
  )
    report(`${where}: orderBy names missing column ${String(params.orderBy.columnId)}`);
  if (op === 'filters' && Array.isArray(params.filters))
    for (const f of params.filters) kql(isObject(f) && isObject(f.input) ? f.input.query : undefined, where);
  if (op === 'formula')
    for (const m of String(params.formula).matchAll(/kql='((?:[^'\\]|\\.)*)'/g))
      kql(m[1], `${where} formula`);
}

/** Every accessor inside an object with a `layerId` must be a column of that layer. */
function checkAccessors(
  node: unknown,
  layerId: string | undefined,
  columnsOf: ReadonlyMap<string, ReadonlySet<string>>,
  report: (p: string) => void,
): void {
  if (Array.isArray(node)) {
    for (const n of node) checkAccessors(n, layerId, columnsOf, report);
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.layerId === 'string') {
    layerId = node.layerId;
    if (!columnsOf.has(layerId)) report(`visualization names layer "${layerId}", which the datasource lacks`);
  }
  const columns = layerId === undefined ? undefined : columnsOf.get(layerId);
  for (const [key, value] of Object.entries(node)) {
    if (ACCESSOR_KEYS.has(key) && columns !== undefined)
      for (const id of Array.isArray(value) ? value : [value])
        if (typeof id === 'string' && !columns.has(id))
          report(`visualization ${key} "${id}" is not a column of layer "${layerId}"`);
    if (typeof value === 'object') checkAccessors(value, layerId, columnsOf, report);
  }
}
