/**
 * Lens metric expressions: a single aggregation becomes one column; arithmetic on aggregations
 * becomes a Lens `formula` column plus the helper columns Lens itself stores for a formula
 * (`<id>X0`… one per aggregation, and a `math` column holding the tinymath tree).
 */
import type { LensColumn } from './columns.js';

/** Aggregations a metric column or formula can use (Lens operation types). */
export type AggOp = 'count' | 'sum' | 'average' | 'median' | 'percentile' | 'unique_count' | 'min' | 'max';

/** One aggregation, optionally over the documents matching `kql`. */
export interface Agg {
  readonly kind: 'agg';
  readonly op: AggOp;
  /** Absent only for `count` (counts documents). */
  readonly field?: string;
  readonly percentile?: number;
  readonly kql?: string;
}

/** A metric expression: an aggregation, a number, or arithmetic on expressions. */
export type Expr =
  | Agg
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expr; readonly right: Expr };

/** Documents (matching `kql`, if given). */
export const count = (kql?: string): Agg => ({
  kind: 'agg',
  op: 'count',
  ...(kql === undefined ? {} : { kql }),
});
/** Aggregation `op` of `field` (over documents matching `kql`, if given). */
export const agg = (op: Exclude<AggOp, 'count' | 'percentile'>, field: string, kql?: string): Agg => ({
  kind: 'agg',
  op,
  field,
  ...(kql === undefined ? {} : { kql }),
});
/** The `p`th percentile of `field`. */
export const percentile = (field: string, p: number, kql?: string): Agg => ({
  kind: 'agg',
  op: 'percentile',
  field,
  percentile: p,
  ...(kql === undefined ? {} : { kql }),
});
/** A constant. */
export const num = (value: number): Expr => ({ kind: 'num', value });
/** `left / right` */
export const div = (left: Expr, right: Expr): Expr => ({ kind: 'bin', op: '/', left, right });
/** `left - right` */
export const sub = (left: Expr, right: Expr): Expr => ({ kind: 'bin', op: '-', left, right });
/** `left * right` */
export const mul = (left: Expr, right: Expr): Expr => ({ kind: 'bin', op: '*', left, right });

const MATH_NAMES = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide' } as const;

/** The Lens formula text of an aggregation, e.g. `percentile(responseLatency, percentile=95)`. */
export function aggText(a: Agg): string {
  const args: string[] = [];
  if (a.field !== undefined) args.push(a.field);
  if (a.percentile !== undefined) args.push(`percentile=${a.percentile}`);
  if (a.kql !== undefined) {
    if (a.kql.includes("'")) throw new Error(`kql with a single quote cannot go in a formula: ${a.kql}`);
    args.push(`kql='${a.kql}'`);
  }
  return `${a.op}(${args.join(', ')})`;
}

/** The formula text of an expression (sub-expressions in parentheses). */
export function formulaText(e: Expr): string {
  return render(e, 0, () => '').text;
}

/** A column for one aggregation; `helper` marks a formula's part (Lens keeps empty buckets as 0). */
export function aggColumn(a: Agg, label: string, helper: boolean): LensColumn {
  const isCount = a.op === 'count';
  const params: Record<string, unknown> = { emptyAsNull: !helper };
  if (a.percentile !== undefined) params.percentile = a.percentile;
  return {
    label,
    dataType: 'number',
    operationType: a.op,
    isBucketed: false,
    scale: 'ratio',
    sourceField: isCount ? (a.field ?? '___records___') : requireField(a),
    params,
    ...(a.kql === undefined ? {} : { filter: { query: a.kql, language: 'kuery' } }),
    customLabel: true,
  };
}

/** The formula column `id` and its helper columns, in the order Lens lists them. */
export function formulaColumns(
  id: string,
  label: string,
  e: Expr,
  format: Record<string, unknown> | undefined,
): [string, LensColumn][] {
  const parts: [string, LensColumn][] = [];
  const leaf = (a: Agg): string => {
    const partId = `${id}X${parts.length}`;
    parts.push([partId, aggColumn(a, `Part of ${label}`, true)]);
    return partId;
  };
  const { text, node } = render(e, 0, leaf);
  if (typeof node === 'number') throw new Error(`formula ${label} has no aggregation`);
  let root = typeof node === 'string' ? node : '';
  if (typeof node !== 'string') {
    root = `${id}X${parts.length}`;
    const references = parts.map(([partId]) => partId);
    parts.push([
      root,
      {
        label: `Part of ${label}`,
        dataType: 'number',
        operationType: 'math',
        isBucketed: false,
        scale: 'ratio',
        params: { tinymathAst: node },
        references,
        customLabel: true,
      },
    ]);
  }
  const formula: LensColumn = {
    label,
    dataType: 'number',
    operationType: 'formula',
    isBucketed: false,
    scale: 'ratio',
    params: { formula: text, isFormulaBroken: false, ...(format === undefined ? {} : { format }) },
    references: [root],
    customLabel: true,
  };
  return [[id, formula], ...parts];
}

/** A tinymath node as Lens stores it: column ids for aggregations, numbers, functions. */
type TinyNode = string | number | TinyFunction;
interface TinyFunction {
  readonly type: 'function';
  readonly name: string;
  readonly args: readonly TinyNode[];
  readonly location: { readonly min: number; readonly max: number };
  readonly text: string;
}

function render(e: Expr, start: number, leaf: (a: Agg) => string): { text: string; node: TinyNode } {
  if (e.kind === 'agg') return { text: aggText(e), node: leaf(e) };
  if (e.kind === 'num') return { text: String(e.value), node: e.value };
  const wrapL = e.left.kind === 'bin';
  const left = render(e.left, start + (wrapL ? 1 : 0), leaf);
  const leftText = wrapL ? `(${left.text})` : left.text;
  const wrapR = e.right.kind === 'bin';
  const rightStart = start + leftText.length + 3;
  const right = render(e.right, rightStart + (wrapR ? 1 : 0), leaf);
  const text = `${leftText} ${e.op} ${wrapR ? `(${right.text})` : right.text}`;
  const node: TinyFunction = {
    type: 'function',
    name: MATH_NAMES[e.op],
    args: [left.node, right.node],
    location: { min: start, max: start + text.length },
    text,
  };
  return { text, node };
}

function requireField(a: Agg): string {
  if (a.field === undefined) throw new Error(`${a.op} needs a field`);
  return a.field;
}
