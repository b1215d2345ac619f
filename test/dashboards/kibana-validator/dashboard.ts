/** Dashboard attributes, panels, grid layout and panel references. */

import { type Entry, isObject, type Json, parse, type Reference } from './common.js';

/** Keys of a dashboard's `controlGroupInput` (rule 1; `showApplySelections` since model version 2). */
const CONTROL_GROUP_KEYS = [
  'panelsJSON',
  'controlStyle',
  'chainingSystem',
  'ignoreParentSettingsJSON',
  'showApplySelections',
];

const GRID_COLUMNS = 48;

export function checkDashboard(
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
