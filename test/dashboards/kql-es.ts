/**
 * The KQL the bundled Kibana panels use, translated to the Elasticsearch query Kibana sends for it
 * (`@kbn/es-query`'s kuery → DSL): `or` → `bool.should` (minimum_should_match 1), `and` →
 * `bool.filter`, `not` → `bool.must_not`, `field : "text"` → `match_phrase`, `field : 5` or
 * `: true` → `match`, `<`, `<=`, `>`, `>=` → `range`. A query outside this subset throws, so a new
 * panel query the translator does not know fails the test instead of being skipped.
 */

type Json = Record<string, unknown>;

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|<=|>=|<|>|:|[^\s():<>"]+)/y;
const RANGE: Readonly<Record<string, string>> = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };

function tokenize(kql: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < kql.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(kql);
    if (m === null) {
      if (kql.slice(at).trim() === '') break;
      throw new Error(`KQL the translator cannot read at ${at}: ${kql}`);
    }
    tokens.push(m[1] as string);
  }
  return tokens;
}

function value(token: string): string | number | boolean {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token === 'true' || token === 'false') return token === 'true';
  const n = Number(token);
  if (Number.isNaN(n)) throw new Error(`unquoted KQL value the translator does not know: ${token}`);
  return n;
}

/** The Elasticsearch query of `kql` (an empty query matches everything). */
export function kqlToQuery(kql: string): Json {
  const tokens = tokenize(kql);
  if (tokens.length === 0) return { match_all: {} };
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.toLowerCase();
  const next = (): string => {
    const t = tokens[i];
    if (t === undefined) throw new Error(`KQL ends early: ${kql}`);
    i += 1;
    return t;
  };
  const list = (op: 'or' | 'and', item: () => Json): Json => {
    const items = [item()];
    while (peek() === op) {
      next();
      items.push(item());
    }
    if (items.length === 1) return items[0] as Json;
    return op === 'or' ? { bool: { should: items, minimum_should_match: 1 } } : { bool: { filter: items } };
  };
  const orExpr = (): Json => list('or', andExpr);
  const andExpr = (): Json => list('and', notExpr);
  const notExpr = (): Json => {
    if (peek() !== 'not') return primary();
    next();
    return { bool: { must_not: [notExpr()] } };
  };
  const primary = (): Json => {
    if (peek() === '(') {
      next();
      const inner = orExpr();
      if (next() !== ')') throw new Error(`unbalanced parentheses: ${kql}`);
      return inner;
    }
    const field = next();
    const op = next();
    const raw = next();
    const v = value(raw);
    if (op === ':') return raw.startsWith('"') ? { match_phrase: { [field]: v } } : { match: { [field]: v } };
    const range = RANGE[op];
    if (range === undefined) throw new Error(`KQL operator the translator does not know: ${op}`);
    return { range: { [field]: { [range]: v } } };
  };
  const query = orExpr();
  if (i !== tokens.length) throw new Error(`KQL with trailing tokens: ${kql}`);
  return query;
}

/** Every KQL string of a saved object: `{ query, language: "kuery" }` anywhere, and formula `kql='…'`. */
export function kqlOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(kqlOf);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Json;
  const own: string[] = [];
  if (o.language === 'kuery' && typeof o.query === 'string') own.push(o.query);
  if (typeof o.formula === 'string')
    for (const m of o.formula.matchAll(/kql='((?:[^'\\]|\\.)*)'/g)) own.push(m[1] as string);
  return [...own, ...Object.values(o).flatMap(kqlOf)];
}
