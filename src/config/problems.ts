import type { ErrorObject } from 'ajv';
import { type Found, formatPath, pointerPath } from './locate.js';
import type { Schema } from './walk.js';

/** Only the first syntax error: the ones after it are usually its echoes. */
export function syntaxMessage(text: string, error: { message: string; pos: [number, number] }, more: number) {
  const start = text.lastIndexOf('\n', error.pos[0] - 1) + 1;
  const end = text.indexOf('\n', error.pos[0]);
  const line = text.slice(start, end === -1 ? undefined : end);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
  const hint = /[[{][^"'\n]*\$\{/.test(line) ? '; inside [ ] or { } write "${VAR}" in quotes' : '';
  const rest = more > 0 ? ` (${more} more syntax error${more === 1 ? '' : 's'} may follow from it)` : '';
  return { message: `${error.message}${hint}${rest}`, code: 'GAX_ERR_CONFIG_YAML' as const };
}

/** Ajv errors as problems: one per mistake, unions collapsed, duplicates dropped. */
export function schemaProblems(errors: readonly ErrorObject[]): Found[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const outer = unions.filter((u) => !unions.some((o) => isInside(u, o)));
  const plain = errors.filter(
    (e) => e.keyword !== 'anyOf' && e.keyword !== 'if' && !unions.some((u) => isInside(e, u)),
  );
  return dedupe([...plain.map(describe), ...outer.flatMap((u) => collapseUnion(u, errors))]);
}

function isInside(error: ErrorObject, union: ErrorObject): boolean {
  if (error === union || !error.schemaPath.startsWith(`${union.schemaPath}/`)) return false;
  return error.instancePath === union.instancePath || error.instancePath.startsWith(`${union.instancePath}/`);
}

/** One problem per mistake in a union: the allowed literals, or the errors of the closest branch. */
function collapseUnion(union: ErrorObject, errors: readonly ErrorObject[]): Found[] {
  const branches = union.schema as Schema[];
  if (branches.every((b) => 'const' in b)) {
    const allowed = branches.map((b) => String(b.const)).join(', ');
    return [
      {
        path: pointerPath(union.instancePath),
        message: `must be one of: ${allowed}`,
        code: 'GAX_ERR_CONFIG_INVALID',
      },
    ];
  }
  const byBranch = new Map<string, ErrorObject[]>();
  for (const e of errors.filter((x) => isInside(x, union))) {
    const branch = e.schemaPath.slice(union.schemaPath.length + 1).split('/')[0] ?? '';
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
  }
  const closest = [...byBranch.values()].sort((a, b) => a.length - b.length)[0] ?? [];
  return schemaProblems(closest);
}

function describe(e: ErrorObject): Found {
  const path = pointerPath(e.instancePath);
  const code = 'GAX_ERR_CONFIG_INVALID';
  const schema = (e.parentSchema ?? {}) as Schema;
  if (e.keyword === 'required') {
    const missing = String(e.params.missingProperty);
    const custom = (schema.errorMessage as { required?: Record<string, string> } | undefined)?.required?.[
      missing
    ];
    return { path: [...path, missing], message: custom ?? 'is required', code };
  }
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const known = Object.keys(schema.properties ?? {});
    if (path.length === 1 && path[0] === 'plugins') {
      const message = `unknown plugin "${key}" (this build has: ${known.join(', ')}; a named instance is <type>/<name>, lowercase a-z, 0-9, _ and -)`;
      return { path: [...path, key], message, code: 'GAX_ERR_PLUGIN_UNKNOWN', atKey: true };
    }
    const near = closest(known, key);
    const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
    return { path: [...path, key], message: `unknown key "${key}"${hint}`, code, atKey: true };
  }
  if (typeof schema.errorMessage === 'string') return { path, message: schema.errorMessage, code };
  return { path, message: expectation(e, schema), code };
}

function expectation(e: ErrorObject, schema: Schema): string {
  switch (e.keyword) {
    case 'enum':
      return `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be one of: ${String(e.params.allowedValue)}`;
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${typeName(schema)}`;
    case 'minItems':
      return e.params.limit === 1 ? 'must not be empty' : `must have at least ${e.params.limit} items`;
    case 'minLength':
      return e.params.limit === 1 ? 'must not be empty' : `must be at least ${e.params.limit} characters`;
    case 'pattern':
      return `must match ${e.params.pattern}`;
    default:
      return e.message ?? 'is not valid';
  }
}

function typeName(schema: Schema): string {
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const kind = schema.type === 'integer' ? 'an integer' : 'a number';
      const { minimum: min, maximum: max } = schema;
      if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
      if (min !== undefined) return `${kind} ≥ ${min}`;
      return max === undefined ? kind : `${kind} ≤ ${max}`;
    }
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping';
    case 'array':
      return schema.items?.type === 'string' ? 'a list of strings' : 'a list';
    default:
      return `a ${String(schema.type)}`;
  }
}

/** The known key a typo or plural most likely meant: at most two edits away. */
function closest(known: readonly string[], typed: string): string | undefined {
  const scored = known.map((k) => ({ k, d: distance(k.toLowerCase(), typed.toLowerCase()) }));
  const best = scored.filter(({ d }) => d <= 2 && d < typed.length / 2).sort((a, b) => a.d - b.d)[0];
  return best?.k;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** Checks a schema can't express. */
export function crossChecks(data: unknown): Found[] {
  const plugins = (data as { plugins?: unknown }).plugins;
  if (typeof plugins !== 'object' || plugins === null) return [];
  const flags = Object.values(plugins).map((p) => (p as { enabled?: unknown } | null)?.enabled);
  if (!flags.every((f) => typeof f === 'boolean') || flags.includes(true)) return [];
  return [
    { path: ['plugins'], message: 'at least one plugin must be enabled', code: 'GAX_ERR_CONFIG_INVALID' },
  ];
}

function dedupe(found: Found[]): Found[] {
  const seen = new Set<string>();
  return found.filter((f) => {
    const id = `${formatPath(f.path)}\u0000${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
