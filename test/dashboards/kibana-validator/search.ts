/** Saved searches (Discover): columns, sort and the data view the search source names. */

import { type Entry, isObject, type Json, parse, type Reference } from './common.js';

/** Discover's placeholder column for the whole document. */
const SOURCE_COLUMN = '_source';

export function checkSearch(
  attributes: Json,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
): void {
  for (const key of ['hideChart', 'isTextBasedQuery'])
    if (attributes[key] !== undefined && typeof attributes[key] !== 'boolean')
      report(`attributes.${key} must be a boolean`);
  const columns = attributes.columns;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))
    report('attributes.columns must be an array of field names');
  else
    for (const c of columns)
      if (c !== SOURCE_COLUMN && !fields.has(c)) report(`column "${c}" is not a mapped field`);
  const sort = attributes.sort ?? [];
  if (!Array.isArray(sort)) report('attributes.sort must be an array of [field, direction]');
  else
    for (const s of sort) {
      const [field, direction] = Array.isArray(s) ? s : [];
      if (typeof field !== 'string' || (direction !== 'asc' && direction !== 'desc'))
        report(`sort ${JSON.stringify(s)} must be [field, "asc" | "desc"]`);
      else if (!fields.has(field)) report(`sort field "${field}" is not a mapped field`);
    }
  if (attributes.isTextBasedQuery === true) return;
  checkDataView(attributes, references, index, report);
}

/** Rule: a (non text-based) saved search reads one data view, through `indexRefName`. */
function checkDataView(
  attributes: Json,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  report: (p: string) => void,
): void {
  const meta = attributes.kibanaSavedObjectMeta;
  const source =
    isObject(meta) && typeof meta.searchSourceJSON === 'string' ? parse(meta.searchSourceJSON) : undefined;
  const refName = isObject(source) ? source.indexRefName : undefined;
  if (typeof refName !== 'string') {
    report('searchSourceJSON needs an indexRefName (the data view)');
    return;
  }
  const ref = references.find((r) => r.name === refName);
  if (ref === undefined) return; // reported by checkAttributes
  if (ref.type !== 'index-pattern')
    report(`reference "${refName}" must be an index-pattern, not ${ref.type}`);
  else if (!index.has(`${ref.type}/${ref.id}`)) report(`data view ${ref.id} is not in the file`);
}
