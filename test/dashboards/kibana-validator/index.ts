/**
 * An offline checker for Kibana 8.x saved-object exports (`.ndjson`), implementing the import rules
 * of Kibana's own code (shared/reference/backends.md §3): attribute schemas, panel references,
 * reference resolution, migration versions, Lens layers and columns; plus a field check against the
 * index mapping. It reads only the artefact (never the builder), as Kibana's importer would.
 */

import { type Entry, isObject, type Json, parse } from './common.js';
import { checkControls } from './controls.js';
import { checkDashboard } from './dashboard.js';
import { checkEnvelope } from './envelope.js';
import { checkKql } from './kql.js';
import { checkLens } from './lens.js';
import { checkAttributes, checkReferences } from './objects.js';
import { checkSearch } from './search.js';
import { checkVisualization } from './visualization.js';

export { kqlFields } from './kql.js';

/** Saved-object types the bundle may contain. */
const TYPES = new Set(['index-pattern', 'lens', 'visualization', 'search', 'dashboard', 'tag']);

const SUMMARY_KEYS = [
  'excludedObjects',
  'excludedObjectsCount',
  'exportedCount',
  'missingRefCount',
  'missingReferences',
];

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
    if (e.type === 'dashboard') {
      checkDashboard(attributes, references, index, report);
      checkControls(attributes, references, index, fields, report);
    }
    if (e.type === 'lens') checkLens(attributes, references, fields, report);
    if (e.type === 'search') checkSearch(attributes, references, index, fields, report);
    if (e.type === 'visualization') checkVisualization(attributes, dashboards, report);
  }
  return problems;
}

function isSummary(o: Json): boolean {
  const keys = Object.keys(o).sort();
  return keys.length === SUMMARY_KEYS.length && keys.every((k, i) => k === SUMMARY_KEYS[i]);
}
