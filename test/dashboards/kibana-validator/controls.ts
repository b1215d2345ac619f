/**
 * A dashboard's control group (`controlGroupInput`, Kibana 8): the attribute schema, every
 * control's type, field and data view reference, and the chain order.
 *
 * Kibana stores the controls as `panelsJSON`, a JSON object of control id → `{ order, width,
 * grow, type, explicitInput }`. On save it moves each data control's `explicitInput.dataViewId`
 * into the dashboard reference `controlGroup_<id>:<type's reference name>` and injects it back on
 * load, so a control without either has no data view and shows an error instead of options.
 */

import { type Entry, isObject, type Json, parse, type Reference } from './common.js';

/** Control types of Kibana 8.9 and the name their data view reference gets on extraction. */
const CONTROL_TYPES: Readonly<Record<string, string | undefined>> = {
  optionsListControl: 'optionsListDataView',
  rangeSliderControl: 'rangeSliderDataView',
  timeSlider: undefined,
};
/** Field types an options list can list (terms aggregation) and a range slider can span. */
const FIELD_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  optionsListControl: new Set(['keyword', 'long', 'double', 'boolean', 'date']),
  rangeSliderControl: new Set(['long', 'double']),
};
const CHAINING = new Set(['HIERARCHICAL', 'NONE']);
const STYLES = new Set(['oneLine', 'twoLine']);
const WIDTHS = new Set(['small', 'medium', 'large']);
const IGNORE_PARENT_KEYS = new Set(['ignoreFilters', 'ignoreQuery', 'ignoreTimerange', 'ignoreValidations']);
const PREFIX = 'controlGroup_';

/** Problems with `attributes.controlGroupInput` (nothing when the dashboard has none). */
export function checkControls(
  attributes: Json,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  fields: ReadonlyMap<string, string>,
  report: (p: string) => void,
): void {
  const group = attributes.controlGroupInput;
  const controlRefs = references.filter((r) => r.name.startsWith(PREFIX));
  if (!isObject(group)) {
    for (const r of controlRefs)
      report(`reference "${r.name}" names a control, but there is no control group`);
    return;
  }
  const at = (p: string) => report(`controlGroupInput: ${p}`);
  for (const [key, allowed] of [
    ['chainingSystem', CHAINING],
    ['controlStyle', STYLES],
  ] as const)
    if (group[key] !== undefined && !allowed.has(String(group[key])))
      at(`${key} must be one of ${[...allowed].join(', ')}, not ${JSON.stringify(group[key])}`);
  checkIgnoreParent(group.ignoreParentSettingsJSON, at);
  const panels = typeof group.panelsJSON === 'string' ? parse(group.panelsJSON) : undefined;
  if (!isObject(panels)) {
    at('panelsJSON must be a JSON object of control id → control');
    return;
  }
  for (const id of duplicateKeys(String(group.panelsJSON))) at(`control id ${id} is used twice`);
  const used = new Set<string>();
  const orders: { id: string; order: number }[] = [];
  for (const [id, control] of Object.entries(panels)) {
    const where = (p: string) => at(`control ${id}: ${p}`);
    if (!isObject(control)) {
      where('is not an object');
      continue;
    }
    if (typeof control.order !== 'number' || !Number.isInteger(control.order) || control.order < 0)
      where('order must be an integer >= 0');
    else orders.push({ id, order: control.order });
    if (control.width !== undefined && !WIDTHS.has(String(control.width)))
      where(`width must be small, medium or large, not ${JSON.stringify(control.width)}`);
    if (control.grow !== undefined && typeof control.grow !== 'boolean') where('grow must be a boolean');
    const type = String(control.type);
    if (!(type in CONTROL_TYPES)) {
      where(`unknown control type ${JSON.stringify(control.type)}`);
      continue;
    }
    const input = control.explicitInput;
    if (!isObject(input)) {
      where('explicitInput must be an object');
      continue;
    }
    if (input.id !== id) where(`explicitInput.id ${JSON.stringify(input.id)} differs from its key`);
    const refName = CONTROL_TYPES[type];
    if (refName === undefined) continue;
    checkField(type, input.fieldName, fields, where);
    const name = `${PREFIX}${id}:${refName}`;
    used.add(name);
    checkDataView(input.dataViewId, name, references, index, where);
  }
  for (const r of controlRefs)
    if (!used.has(r.name)) report(`reference "${r.name}" belongs to no control of the control group`);
  checkOrder(orders, at);
}

function checkIgnoreParent(text: unknown, at: (p: string) => void): void {
  if (text === undefined) return;
  const settings = typeof text === 'string' ? parse(text) : undefined;
  if (!isObject(settings)) {
    at('ignoreParentSettingsJSON must be a JSON object');
    return;
  }
  for (const [key, value] of Object.entries(settings))
    if (!IGNORE_PARENT_KEYS.has(key) || typeof value !== 'boolean')
      at(`ignoreParentSettingsJSON.${key} is not a known boolean setting`);
}

function checkField(
  type: string,
  field: unknown,
  fields: ReadonlyMap<string, string>,
  where: (p: string) => void,
): void {
  if (typeof field !== 'string' || field === '') {
    where('explicitInput.fieldName is required');
    return;
  }
  const fieldType = fields.get(field);
  if (fieldType === undefined) where(`field "${field}" is not in the data view`);
  else if (!FIELD_TYPES[type]?.has(fieldType))
    where(`field "${field}" (${fieldType}) cannot back a ${type}: it must be aggregatable`);
}

/** The data view: inline `dataViewId` (not extracted) or the dashboard reference `name`. */
function checkDataView(
  inline: unknown,
  name: string,
  references: readonly Reference[],
  index: ReadonlyMap<string, Entry>,
  where: (p: string) => void,
): void {
  const ref = references.find((r) => r.name === name);
  if (ref === undefined && typeof inline !== 'string') {
    where(`no data view: neither explicitInput.dataViewId nor a reference "${name}"`);
    return;
  }
  if (ref !== undefined && ref.type !== 'index-pattern')
    where(`reference "${name}" must be an index-pattern, not ${ref.type}`);
  const id = ref?.id ?? String(inline);
  if (!index.has(`index-pattern/${id}`)) where(`data view ${id} is not in the file`);
}

/** Kibana chains the controls by `order`; two controls with one order make the chain ambiguous. */
function checkOrder(orders: readonly { id: string; order: number }[], at: (p: string) => void): void {
  const first = new Map<number, string>();
  for (const c of orders) {
    const other = first.get(c.order);
    if (other !== undefined) at(`controls ${other} and ${c.id} share order ${c.order}`);
    else first.set(c.order, c.id);
  }
}

/** Keys that occur more than once at the top level of a JSON object text (JSON.parse keeps the last). */
function duplicateKeys(text: string): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const key = text.slice(i, end + 1);
      i = end;
      if (depth !== 1 || !/^\s*:/.test(text.slice(end + 1))) continue;
      if (seen.has(key)) twice.push(String(parse(key)));
      seen.add(key);
    }
  }
  return twice;
}
