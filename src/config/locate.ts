import { type Document, isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ErrorCode } from '../errors.js';

/** One mistake in a configuration, located by its YAML path (`inputs[0].from`). */
export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
  code: ErrorCode;
}

export type Segment = string | number;
/** A problem before it is located in the document; `atKey` points at the key rather than the value. */
export type Found = { path: Segment[]; message: string; code: ErrorCode; atKey?: boolean };
/** Line and column of an offset in the document's text. */
export type At = (pos: number) => { line: number; column: number };

export function pointerPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

/** `inputs[0].paths`, `plugins.elasticsearch.node`; odd keys quoted: `plugins["a.b"]`. */
export function formatPath(path: readonly Segment[]): string {
  return path
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (!/^[A-Za-z_$][\w$-]*$/.test(s)) return `[${JSON.stringify(s)}]`;
      return i === 0 ? s : `.${s}`;
    })
    .join('');
}

/** A found problem with its path formatted and its line and column in the document. */
export function toProblem(doc: Document, found: Found, at: At): ConfigProblem {
  return {
    path: formatPath(found.path),
    message: found.message,
    ...position(doc, found, at),
    code: found.code,
  };
}

/** Line and column of the path's node, or of its deepest ancestor present in the document. */
function position(doc: Document, found: Found, at: At) {
  let node: unknown = doc.contents;
  let anchor: Node | undefined;
  for (const [i, segment] of found.path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === found.path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined || !isScalar(pair.key)) break;
      const value = pair.value as Node | null;
      anchor = last && !found.atKey && value?.range !== undefined ? value : pair.key;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      anchor = node as Node;
    } else {
      break;
    }
  }
  const start = anchor?.range?.[0];
  return start === undefined ? {} : at(start);
}

export function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => (p.line ?? Number.MAX_SAFE_INTEGER) * 1e6 + (p.column ?? 0);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => key(a.p) - key(b.p) || a.i - b.i)
    .map(({ p }) => p);
}
