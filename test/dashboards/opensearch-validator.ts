/**
 * An offline check of an OpenSearch Dashboards 2.x saved-objects file against the import rules
 * that can be checked without a server: one JSON object per line with type, id, attributes and
 * references; unique ids; every reference resolved in the file (OSD's import refuses an object
 * with `missing_references` otherwise); nested JSON strings that parse; `indexRefName` ↔
 * references; `migrationVersion` no newer than 2.x's migrations; index pattern field lists that
 * agree with the mapping; and the visualization rules of opensearch-vis-validator.ts.
 */
import { kqlFields } from './kibana-validator/kql.js';
import { checkVisState } from './opensearch-vis-validator.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Saved-object types OpenSearch Dashboards 2.x can import. */
export const OSD_TYPES: ReadonlySet<string> = new Set([
  'index-pattern',
  'visualization',
  'dashboard',
  'search',
  'config',
  'query',
  'url',
  'augment-vis',
  'visualization-visbuilder',
]);

/** The newest migration OSD 2.x has per type: a newer `migrationVersion` is refused on import. */
export const OSD_LATEST_MIGRATION: Readonly<Record<string, string>> = {
  'index-pattern': '7.6.0',
  visualization: '7.10.0',
  dashboard: '7.9.3',
  search: '7.9.3',
};

const semver = (v: string): number[] => v.split('.').map((n) => Number.parseInt(n, 10));
function newer(a: string, b: string): boolean {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i += 1) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

interface Entry {
  readonly where: string;
  readonly type: string;
  readonly id: string;
  readonly object: Json;
  readonly refs: ReadonlyMap<string, string>;
}

/**
 * Every problem in `text` (an export file), as `line N type/id: problem`; `fields` maps each field
 * of the index mapping to its type (`text`, `keyword`, `long`, `double`, `boolean`, `date`).
 */
export function validateOsdNdjson(text: string, fields: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('the file does not end with a newline');
  const entries: Entry[] = [];
  text
    .split('\n')
    .slice(0, text.endsWith('\n') ? -1 : undefined)
    .forEach((line, n) => {
      const object = parse(line);
      const where = `line ${n + 1}`;
      if (!isObject(object)) {
        problems.push(`${where}: not one JSON object`);
        return;
      }
      const { type, id, attributes, references } = object;
      if (typeof type !== 'string' || !OSD_TYPES.has(type)) {
        problems.push(
          `${where}: type "${String(type)}" is not a saved-object type of OpenSearch Dashboards 2.x`,
        );
        return;
      }
      if (typeof id !== 'string' || id === '') {
        problems.push(`${where}: needs a string id`);
        return;
      }
      if (!isObject(attributes)) problems.push(`${where} ${type}/${id}: needs attributes`);
      if (!Array.isArray(references)) problems.push(`${where} ${type}/${id}: needs a references array`);
      const refs = new Map<string, string>();
      for (const r of Array.isArray(references) ? references : []) {
        if (
          !isObject(r) ||
          typeof r.name !== 'string' ||
          typeof r.type !== 'string' ||
          typeof r.id !== 'string'
        ) {
          problems.push(`${where} ${type}/${id}: a reference needs name, type and id`);
          continue;
        }
        if (refs.has(r.name)) problems.push(`${where} ${type}/${id}: reference name ${r.name} twice`);
        refs.set(r.name, r.type);
      }
      entries.push({ where: `${where} ${type}/${id}`, type, id, object, refs });
    });
  const keys = new Set<string>();
  for (const e of entries) {
    const key = `${e.type}/${e.id}`;
    if (keys.has(key)) problems.push(`${e.where}: id is not unique`);
    keys.add(key);
  }
  const patternTitles = new Set(
    entries.filter((e) => e.type === 'index-pattern').map((e) => String((e.object.attributes as Json).title)),
  );
  const dashboards = new Set(entries.filter((e) => e.type === 'dashboard').map((e) => e.id));
  for (const e of entries) {
    const report = (p: string) => problems.push(`${e.where}: ${p}`);
    checkEnvelope(e, keys, report);
    const attributes = isObject(e.object.attributes) ? e.object.attributes : {};
    if (e.type === 'index-pattern') checkIndexPattern(attributes, fields, report);
    if (e.type === 'visualization' || e.type === 'dashboard' || e.type === 'search')
      checkSearchSource(attributes, e.refs, fields, report);
    if (e.type === 'dashboard') checkDashboard(attributes, e.refs, report);
    if (e.type !== 'visualization') continue;
    for (const key of ['visState', 'uiStateJSON'])
      if (!isObject(parse(attributes[key]))) report(`${key} does not parse as a JSON object`);
    const visState = parse(attributes.visState);
    if (isObject(visState))
      checkVisState(visState, { fields, patternTitles, dashboards, refs: e.refs, report });
  }
  return problems;
}

function checkEnvelope(e: Entry, keys: ReadonlySet<string>, report: (p: string) => void) {
  for (const r of (e.object.references as Json[] | undefined) ?? [])
    if (isObject(r) && !keys.has(`${String(r.type)}/${String(r.id)}`))
      report(`missing_references: ${String(r.type)}/${String(r.id)} is not in the file`);
  const mv = e.object.migrationVersion;
  if (mv === undefined) return;
  if (!isObject(mv)) return report('migrationVersion must be an object');
  for (const [type, version] of Object.entries(mv)) {
    const latest = OSD_LATEST_MIGRATION[type];
    if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version))
      report(`migrationVersion ${type} is no version`);
    else if (latest !== undefined && newer(version, latest))
      report(`migrationVersion ${type} ${version} is newer than OpenSearch Dashboards 2.x's ${latest}`);
  }
}

function checkIndexPattern(
  attributes: Json,
  mapping: ReadonlyMap<string, string>,
  report: (p: string) => void,
) {
  if (typeof attributes.title !== 'string' || attributes.title === '') report('index pattern needs a title');
  const list = parse(attributes.fields);
  if (!Array.isArray(list)) return report('fields does not parse as a JSON array');
  const byName = new Map(list.filter(isObject).map((f) => [String(f.name), f]));
  const time = attributes.timeFieldName;
  if (typeof time === 'string' && mapping.get(time) !== 'date')
    report(`timeFieldName ${time} is not a date field`);
  for (const [name, f] of byName) {
    if (name.startsWith('_')) continue;
    const type = mapping.get(name);
    if (type === undefined) {
      report(`field ${name} is not in the index mapping`);
      continue;
    }
    const aggregatable = ['keyword', 'long', 'double', 'boolean', 'date'].includes(type);
    if (f.aggregatable !== aggregatable)
      report(`field ${name} (${type}) has aggregatable ${String(f.aggregatable)}`);
  }
}

function checkSearchSource(
  attributes: Json,
  refs: ReadonlyMap<string, string>,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
) {
  const meta = attributes.kibanaSavedObjectMeta;
  const source = parse(isObject(meta) ? meta.searchSourceJSON : undefined);
  if (!isObject(source))
    return report('kibanaSavedObjectMeta.searchSourceJSON does not parse as a JSON object');
  if (source.indexRefName !== undefined && refs.get(String(source.indexRefName)) !== 'index-pattern')
    report(`searchSourceJSON.indexRefName ${String(source.indexRefName)} is not an index-pattern reference`);
  if (source.index !== undefined) report('searchSourceJSON names its index by id instead of indexRefName');
  const query = source.query;
  if (isObject(query) && typeof query.query === 'string') {
    if (query.language !== 'kuery') report('query language must be kuery');
    for (const field of kqlFields(query.query))
      if (!fields.has(field)) report(`KQL "${query.query}" uses unknown field "${field}"`);
  }
  for (const f of Array.isArray(source.filter) ? source.filter.filter(isObject) : []) {
    const m = isObject(f.meta) ? f.meta : {};
    if (refs.get(String(m.indexRefName)) !== 'index-pattern')
      report(`filter meta.indexRefName ${String(m.indexRefName)} is not an index-pattern reference`);
    if (typeof m.key === 'string' && !fields.has(m.key)) report(`filter on unknown field "${m.key}"`);
  }
}

function checkDashboard(attributes: Json, refs: ReadonlyMap<string, string>, report: (p: string) => void) {
  if (typeof attributes.title !== 'string') report('dashboard needs a title');
  if (!isObject(parse(attributes.optionsJSON))) report('optionsJSON does not parse as a JSON object');
  const panels = parse(attributes.panelsJSON);
  if (!Array.isArray(panels)) return report('panelsJSON does not parse as a JSON array');
  const indexes = new Set<unknown>();
  for (const p of panels) {
    if (!isObject(p)) {
      report('a panel is not an object');
      continue;
    }
    if (indexes.has(p.panelIndex)) report(`panelIndex ${String(p.panelIndex)} twice`);
    indexes.add(p.panelIndex);
    const type = refs.get(String(p.panelRefName));
    if (type !== 'visualization' && type !== 'search')
      report(
        `panel ${String(p.panelIndex)}: panelRefName ${String(p.panelRefName)} is no visualization or search reference`,
      );
    const g = isObject(p.gridData) ? p.gridData : {};
    const [x, w] = [Number(g.x), Number(g.w)];
    if (![g.x, g.y, g.w, g.h].every((n) => typeof n === 'number') || x < 0 || x + w > 48)
      report(`panel ${String(p.panelIndex)}: gridData outside the 48-column grid`);
  }
}
