/** Per-type attribute rules and reference resolution, common to every saved-object type. */

import { type Entry, isObject, type Json, parse, type Reference } from './common.js';

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

/** Attributes that are JSON strings (must parse), per type. */
const JSON_STRINGS: Readonly<Record<string, readonly string[]>> = {
  dashboard: ['panelsJSON', 'optionsJSON'],
  visualization: ['visState', 'uiStateJSON'],
  'index-pattern': ['fields', 'fieldFormatMap', 'runtimeFieldMap', 'fieldAttrs', 'sourceFilters', 'typeMeta'],
};

/** The object's references as `name → {type,id}`, reporting malformed and unresolved ones. */
export function checkReferences(
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

export function checkAttributes(
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
