/**
 * The committed OpenSearch Dashboards bundle and what its tests share: its objects, the bundle
 * with one object changed (for the validator's broken-bundle cases), and docs/metrics.md's
 * definitions as the KQL the bundle is held to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryableFields } from '../../src/search-index/fields.js';
import { readDefinitions } from './definitions.js';
import type { Definitions } from './opensearch-definitions.js';
import { validateOsdNdjson } from './opensearch-validator.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FILE = join(ROOT, 'dashboards', 'opensearch', 'gax-dashboards.ndjson');
export const TEXT = readFileSync(FILE, 'utf8');
export const FIELDS = queryableFields();

export type Obj = {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Record<string, string>[];
};
export const objects = (): Obj[] =>
  TEXT.trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Obj);
export const toText = (list: readonly Obj[]): string => list.map((o) => `${JSON.stringify(o)}\n`).join('');

/** The bundle with `change` applied to object `id`, validated. */
export function broken(id: string, change: (o: Obj) => void): string[] {
  const list = objects();
  const o = list.find((x) => x.id === id);
  if (o === undefined) throw new Error(`no object ${id}`);
  change(o);
  return validateOsdNdjson(toText(list), FIELDS);
}

/** `o`'s visState, changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: the tests reach into visState's nested JSON freely
export type AnyJson = any;

export function editVis(edit: (vis: AnyJson) => void): (o: Obj) => void {
  return (o) => {
    const vis = JSON.parse(String(o.attributes.visState));
    edit(vis);
    o.attributes.visState = JSON.stringify(vis);
  };
}

const docs = readDefinitions(join(ROOT, 'docs', 'metrics.md'));
const span = (quantity: string): readonly string[] => docs.get(quantity)?.kibana ?? [];
export const DEFS: Definitions = {
  errors: span('errors')[0] as string,
  wso2: span('WSO2 error rate'),
  totalTokens: span('total tokens')[0] as string,
};
