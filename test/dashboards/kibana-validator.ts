/**
 * An offline checker for Kibana 8.x saved-object exports (`.ndjson`), implementing the import rules
 * of Kibana's own code (shared/reference/backends.md §3): attribute schemas, panel references,
 * reference resolution, migration versions, Lens layers and columns; plus a field check against the
 * index mapping. It reads only the artefact (never the builder), as Kibana's importer would.
 */

type Json = Record<string, unknown>;

/** Saved-object types the bundle may contain. */
const TYPES = new Set(['index-pattern', 'lens', 'visualization', 'search', 'dashboard', 'tag']);

/** Every 8.8+ export has this envelope version. */
const CORE_MIGRATION_VERSION = '8.8.0';

/**
 * Allowed `typeMigrationVersion` per type, inclusive. `min`: the shape the bundle emits, so no
 * migration written for an older shape runs on it. `max`: the newest migration the oldest
 * targeted Kibana (8.9) knows for the type, so 8.9 does not answer "belongs to a more recent
 * version of Kibana". Model versions (`10.N.0`, dashboards in 8.1x+) are above every max.
 */
const TYPE_MIGRATION_RANGE: Readonly<Record<string, { min: string; max: string }>> = {
  // 7.11.0 added allowNoIndex; 8.0.0 (multi-namespace conversion) is the data view's last 8.x migration.
  'index-pattern': { min: '7.11.0', max: '8.0.0' },
  // formBased (not `indexpattern`) datasource since 8.6.0; 8.9.0 is Lens's last legacy migration.
  lens: { min: '8.6.0', max: '8.9.0' },
  // visState with `params`/`aggs` as 8.x writes it; 8.5.0 is the newest version known to exist in 8.9.
  visualization: { min: '8.0.0', max: '8.5.0' },
  // Kibana's sample data ships 7.9.3; 8.0.0 is the multi-namespace conversion.
  search: { min: '7.9.3', max: '8.0.0' },
  // The dashboard attribute schema is registered at 8.9.0; later versions are model versions (10.x).
  dashboard: { min: '8.9.0', max: '8.9.0' },
  tag: { min: '8.0.0', max: '8.0.0' },
};
const TARGET_KIBANA = '8.9';

/** Top-level keys of an export line. */
const ENVELOPE_KEYS = new Set([
  'id',
  'type',
  'attributes',
  'references',
  'coreMigrationVersion',
  'typeMigrationVersion',
  'migrationVersion',
  'managed',
  'namespaces',
  'originId',
  'created_at',
  'updated_at',
  'version',
]);
const SUMMARY_KEYS = [
  'excludedObjects',
  'excludedObjectsCount',
  'exportedCount',
  'missingRefCount',
  'missingReferences',
];

/** Attribute keys per type; anything else is rejected (dashboard: `unknowns: 'forbid'`). */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  dashboard: [
    'title',
    'description',
    'kibanaSavedObjectMeta',
    'timeRestore',
    'timeFrom',
    'timeTo',
    'refreshInterval',
    'controlGroupInput',
    'panelsJSON',
    'optionsJSON',
    'hits',
    'version',
  ],
  lens: ['title', 'description', 'visualizationType', 'state'],
  visualization: [
    'title',
    'description',
    'version',
    'uiStateJSON',
    'visState',
    'kibanaSavedObjectMeta',
    'savedSearchRefName',
  ],
  'index-pattern': [
    'title',
    'name',
    'timeFieldName',
    'fields',
    'fieldFormatMap',
    'runtimeFieldMap',
    'fieldAttrs',
    'sourceFilters',
    'typeMeta',
    'allowNoIndex',
  ],
  search: [
    'title',
    'description',
    'columns',
    'sort',
    'grid',
    'hideChart',
    'isTextBasedQuery',
    'kibanaSavedObjectMeta',
  ],
  tag: ['name', 'description', 'color'],
};

/** Keys of a dashboard's `controlGroupInput` (rule 1; `showApplySelections` since model version 2). */
const CONTROL_GROUP_KEYS = [
  'panelsJSON',
  'controlStyle',
  'chainingSystem',
  'ignoreParentSettingsJSON',
  'showApplySelections',
];

/** Attributes that are JSON strings (must parse), per type. */
const JSON_STRINGS: Readonly<Record<string, readonly string[]>> = {
  dashboard: ['panelsJSON', 'optionsJSON'],
  visualization: ['visState', 'uiStateJSON'],
  'index-pattern': ['fields', 'fieldFormatMap', 'runtimeFieldMap', 'fieldAttrs', 'sourceFilters', 'typeMeta'],
};

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
const GRID_COLUMNS = 48;
const LAYER_REF = 'indexpattern-datasource-layer-';

interface Entry {
  readonly line: number;
  readonly id: string;
  readonly type: string;
  readonly object: Json;
}

/** Problems Kibana's import (or the field check) would find in `text`; empty when valid. */
export function validateKibanaNdjson(text: string, fields: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const entries: Entry[] = [];
  const firstLine = new Map<string, number>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    const object = parse(raw);
    const invalid =
      object === undefined ? 'not valid JSON' : !isObject(object) ? 'not a JSON object' : undefined;
    if (invalid !== undefined || !isObject(object)) {
      problems.push(`line ${line}: ${invalid ?? 'not a JSON object'}`);
      continue;
    }
    if (isSummary(object)) continue;
    const { id, type } = object;
    if (typeof id !== 'string' || id === '' || typeof type !== 'string') {
      problems.push(`line ${line}: "id" and "type" are required`);
      continue;
    }
    if (!TYPES.has(type)) {
      problems.push(`line ${line}: unknown type "${type}"`);
      continue;
    }
    const key = `${type}/${id}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      problems.push(`${key}: duplicate id (also on line ${first})`);
      continue;
    }
    firstLine.set(key, line);
    entries.push({ line, id, type, object });
  }
  const index = new Map(entries.map((e) => [`${e.type}/${e.id}`, e]));
  const dashboards = new Set(entries.filter((e) => e.type === 'dashboard').map((e) => e.id));
  for (const e of entries) {
    const report = (problem: string) => problems.push(`${e.type}/${e.id}: ${problem}`);
    checkEnvelope(e, report);
    const references = checkReferences(e, index, report);
    const attributes = e.object.attributes;
    if (!isObject(attributes)) {
      report('attributes must be an object');
      continue;
    }
    checkAttributes(e.type, attributes, references, (q, where) => checkKql(q, where, fields, report), report);
    if (e.type === 'dashboard') checkDashboard(attributes, references, index, report);
    if (e.type === 'lens') checkLens(attributes, references, fields, report);
    if (e.type === 'visualization') checkVisualization(attributes, dashboards, report);
  }
  return problems;
}

function checkEnvelope(e: Entry, report: (p: string) => void): void {
  for (const key of Object.keys(e.object))
    if (!ENVELOPE_KEYS.has(key)) report(`unknown top-level key "${key}"`);
  if (e.object.coreMigrationVersion !== CORE_MIGRATION_VERSION)
    report(`coreMigrationVersion must be "${CORE_MIGRATION_VERSION}"`);
  const version = e.object.typeMigrationVersion;
  const range = TYPE_MIGRATION_RANGE[e.type];
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    report('typeMigrationVersion must be a version string like "8.9.0"');
    return;
  }
  if (range === undefined) return;
  if (compareVersions(version, range.max) > 0)
    report(
      `typeMigrationVersion ${version} is newer than ${range.max}, the newest ${e.type} version Kibana ${TARGET_KIBANA} knows`,
    );
  if (compareVersions(version, range.min) < 0)
    report(
      `typeMigrationVersion ${version} is older than ${range.min}: Kibana would migrate the ${e.type} shape again`,
    );
}

/** The object's references as `name → {type,id}`, reporting malformed and unresolved ones. */
function checkReferences(
  e: Entry,
  index: ReadonlyMap<string, Entry>,
  report: (p: string) => void,
): Reference[] {
  const list = e.object.references;
  if (!Array.isArray(list)) {
    report('references must be an array');
    return [];
  }
  const out: Reference[] = [];
  for (const r of list) {
    if (
      !isObject(r) ||
      typeof r.name !== 'string' ||
      typeof r.type !== 'string' ||
      typeof r.id !== 'string'
    ) {
      report(`malformed reference ${JSON.stringify(r)}`);
      continue;
    }
    out.push({ name: r.name, type: r.type, id: r.id });
    if (!index.has(`${r.type}/${r.id}`))
      report(`reference "${r.name}" → ${r.type}/${r.id} is not in the file`);
  }
  return out;
}

function checkAttributes(
  type: string,
  attributes: Json,
  references: readonly Reference[],
  kql: (query: unknown, where: string) => void,
  report: (p: string) => void,
): void {
  const allowed = ATTRIBUTES[type] ?? [];
  for (const key of Object.keys(attributes)) if (!allowed.includes(key)) report(`unknown attribute "${key}"`);
  const titleKey = type === 'tag' ? 'name' : 'title';
  if (typeof attributes[titleKey] !== 'string') report(`attributes.${titleKey} must be a string`);
  if (attributes.description !== undefined && typeof attributes.description !== 'string')
    report('attributes.description must be a string');
  for (const key of JSON_STRINGS[type] ?? []) {
    const value = attributes[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') report(`attributes.${key} must be a JSON string`);
    else if (parse(value) === undefined) report(`attributes.${key} is not valid JSON`);
  }
  if (type === 'index-pattern') {
    if (attributes.timeFieldName !== undefined && typeof attributes.timeFieldName !== 'string')
      report('attributes.timeFieldName must be a string');
    if (attributes.allowNoIndex !== undefined && typeof attributes.allowNoIndex !== 'boolean')
      report('attributes.allowNoIndex must be a boolean');
  }
  const meta = attributes.kibanaSavedObjectMeta;
  if (meta === undefined) return;
  if (!isObject(meta)) {
    report('attributes.kibanaSavedObjectMeta must be an object');
    return;
  }
  for (const key of Object.keys(meta))
    if (key !== 'searchSourceJSON') report(`unknown attribute "kibanaSavedObjectMeta.${key}"`);
  const text = meta.searchSourceJSON;
  const source = typeof text === 'string' ? parse(text) : undefined;
  if (text !== undefined && source === undefined)
    report('attributes.kibanaSavedObjectMeta.searchSourceJSON is not valid JSON');
  if (!isObject(source)) return;
  if (isObject(source.query)) kql(source.query.query, 'searchSourceJSON');
  const refName = source.indexRefName;
  if (typeof refName === 'string' && !references.some((r) => r.name === refName))
    report(`searchSourceJSON indexRefName "${refName}" has no reference`);
}

function checkDashboard(
  attributes: Json,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  report: (p: string) => void,
): void {
  const types: Record<string, string> = {
    timeRestore: 'boolean',
    timeFrom: 'string',
    timeTo: 'string',
    hits: 'number',
  };
  for (const [key, type] of Object.entries(types))
    if (attributes[key] !== undefined && typeof attributes[key] !== type)
      report(`attributes.${key} must be a ${type}`);
  const refresh = attributes.refreshInterval;
  if (
    refresh !== undefined &&
    !(isObject(refresh) && typeof refresh.pause === 'boolean' && typeof refresh.value === 'number')
  )
    report('attributes.refreshInterval needs pause (boolean) and value (number)');
  const controls = attributes.controlGroupInput;
  if (controls !== undefined && !isObject(controls)) report('attributes.controlGroupInput must be an object');
  for (const key of isObject(controls) ? Object.keys(controls) : [])
    if (!CONTROL_GROUP_KEYS.includes(key)) report(`unknown attribute "controlGroupInput.${key}"`);
  const panels = typeof attributes.panelsJSON === 'string' ? parse(attributes.panelsJSON) : [];
  if (!Array.isArray(panels)) {
    report('attributes.panelsJSON must be a JSON array');
    return;
  }
  const seen = new Set<string>();
  const boxes: { index: string; x: number; y: number; w: number; h: number }[] = [];
  for (const panel of panels) {
    if (!isObject(panel)) {
      report('panel is not an object');
      continue;
    }
    const pi = String(panel.panelIndex);
    const at = (p: string) => report(`panel ${pi}: ${p}`);
    if (typeof panel.type !== 'string') at('"type" attribute is missing from panel');
    if (typeof panel.panelIndex !== 'string') at('panelIndex must be a string');
    if (seen.has(pi)) at('duplicate panelIndex');
    seen.add(pi);
    const grid = panel.gridData;
    if (!isObject(grid) || !['x', 'y', 'w', 'h'].every((k) => typeof grid[k] === 'number')) {
      at('gridData needs numeric x, y, w, h');
    } else {
      const box = { index: pi, x: Number(grid.x), y: Number(grid.y), w: Number(grid.w), h: Number(grid.h) };
      if (box.x < 0 || box.w <= 0 || box.h <= 0) at('gridData x must be >= 0, w and h > 0');
      if (box.x + box.w > GRID_COLUMNS)
        at(`gridData x + w = ${box.x + box.w} exceeds ${GRID_COLUMNS} columns`);
      if (grid.i !== panel.panelIndex) at('gridData.i must equal panelIndex');
      const overlap = boxes.find(
        (b) => b.x < box.x + box.w && box.x < b.x + b.w && b.y < box.y + box.h && box.y < b.y + b.h,
      );
      if (overlap !== undefined) at(`overlaps panel ${overlap.index}`);
      boxes.push(box);
    }
    checkPanelReference(panel, pi, references, index, at);
  }
}

/** Rule 2: Kibana's `createInject` resolution of `panelRefName`. */
function checkPanelReference(
  panel: Json,
  pi: string,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  at: (p: string) => void,
): void {
  const refName = panel.panelRefName;
  if (refName === undefined) {
    const config = panel.embeddableConfig;
    if (!isObject(config) || (config.attributes === undefined && config.savedVis === undefined))
      at('neither panelRefName nor a by-value embeddableConfig');
    return;
  }
  const prefix = `${pi}:`;
  const own = references.filter((r) => r.name.startsWith(prefix));
  const candidates =
    own.length > 0 ? own.map((r) => ({ ...r, name: r.name.slice(prefix.length) })) : references;
  const ref = candidates.find((r) => r.name === refName);
  if (ref === undefined) {
    at(`Could not find reference "${String(refName)}"`);
    return;
  }
  if (ref.type !== panel.type) at(`reference type ${ref.type} differs from panel type ${String(panel.type)}`);
  if (!index.has(`${ref.type}/${ref.id}`)) at(`${ref.type}/${ref.id} is not in the file`);
}

function checkLens(
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

function checkVisualization(
  attributes: Json,
  dashboards: ReadonlySet<string>,
  report: (p: string) => void,
): void {
  const visState = typeof attributes.visState === 'string' ? parse(attributes.visState) : undefined;
  if (!isObject(visState) || typeof visState.type !== 'string') {
    report('visState needs a type');
    return;
  }
  const markdown = isObject(visState.params) ? visState.params.markdown : undefined;
  if (visState.type !== 'markdown' || typeof markdown !== 'string') return;
  for (const m of markdown.matchAll(/\(#\/view\/([^)\s?]+)/g))
    if (m[1] !== undefined && !dashboards.has(m[1]))
      report(`markdown links to dashboard ${m[1]}, which is not in the file`);
}

/** Field names used on the left of `:`, `<`, `<=`, `>`, `>=` in a KQL query (quoted values removed). */
export function kqlFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z_@][\w.@]*)\s*(?:<=|>=|<|>|:)/g)].flatMap((m) =>
    m[1] === undefined ? [] : [m[1]],
  );
}

function checkKql(
  query: unknown,
  where: string,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
): void {
  if (typeof query !== 'string') return;
  for (const field of kqlFields(query))
    if (!fields.has(field)) report(`${where}: KQL "${query}" uses unknown field "${field}"`);
}

interface Reference {
  readonly name: string;
  readonly type: string;
  readonly id: string;
}

function isSummary(o: Json): boolean {
  const keys = Object.keys(o).sort();
  return keys.length === SUMMARY_KEYS.length && keys.every((k, i) => k === SUMMARY_KEYS[i]);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
