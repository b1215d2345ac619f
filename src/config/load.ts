import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { REDACTED, redactUrlCredentials, rememberSecrets } from '../telemetry/redact.js';
import { conflicts, writtenButOff } from './conflicts.js';
import { type ConfigEnv, substitute } from './env.js';
import { type At, type ConfigProblem, type Found, formatPath, sortByPosition, toProblem } from './locate.js';
import { crossChecks, schemaProblems, syntaxMessage } from './problems.js';
import type { Config } from './schema.js';
import { configValidator } from './validator.js';
import { insecureTls, mapMarked, plainSecrets, resolvePaths, rootSchema } from './walk.js';

export type { ConfigEnv } from './env.js';
export type { ConfigProblem } from './locate.js';

export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

const validate = await configValidator();

/**
 * Reads and parses a config file; relative paths in it resolve against its directory. The secrets
 * of a config that loads are remembered, so no log line of this process can show them.
 */
export async function loadConfig(path: string, env: ConfigEnv = process.env): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    return {
      ok: false,
      problems: [{ path: '', message: `cannot read file (${reason})`, code: 'GAX_ERR_CONFIG_READ' }],
    };
  }
  const result = parseConfig(text, { env, source: path });
  if (result.ok) rememberSecrets(secretValues(result.config));
  return result;
}

/** Parses YAML text: syntax, `${VAR}` substitution, schema with defaults, cross-key checks. All problems at once. */
export function parseConfig(text: string, options: { env: ConfigEnv; source?: string }): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const at: At = (pos) => {
    const { line, col } = lineCounter.linePos(pos);
    return { line, column: col };
  };
  const [first, ...cascade] = doc.errors;
  if (first !== undefined) {
    const problem = { path: '', ...syntaxMessage(text, first, cascade.length), ...at(first.pos[0]) };
    return { ok: false, problems: [problem] };
  }
  const yamlWarnings = doc.warnings.map((w) => ({ path: '', message: w.message, ...at(w.pos[0]) }));
  const substituted = new Set<string>();
  const found = substitute(doc.contents, [], options.env, substituted);
  let data: unknown;
  try {
    data = withoutNulls(doc.toJS()) ?? {};
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, problems: [{ path: '', message, code: 'GAX_ERR_CONFIG_YAML' }] };
  }
  // A value an unset variable emptied is one mistake, not two: skip the schema's complaint about it.
  const envPaths = new Set(found.map((f) => formatPath(f.path)));
  const silentlyOff = writtenButOff(data); // before validation fills in the defaults
  if (!validate(data)) {
    const schema = schemaProblems(validate.errors ?? []);
    found.push(...schema.filter((f) => f.atKey === true || !envPaths.has(formatPath(f.path))));
  }
  found.push(...crossChecks(data));
  const locate = (f: Found): ConfigProblem => toProblem(doc, f, at);
  if (found.length > 0) return { ok: false, problems: sortByPosition(found.map(locate)) };

  const config = resolvePaths(data, options.source);
  const warnings = [
    ...yamlWarnings.map((w) => ({ ...w, code: 'GAX_ERR_CONFIG_YAML' as const })),
    ...plainSecrets(data, substituted).map(locate),
    ...insecureTls(data).map(locate),
    ...conflicts(config, silentlyOff).map(locate),
  ];
  return { ok: true, config, warnings };
}

/** `server:` with nothing after it means "all defaults", as if the key were left out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([, child]) => child !== null);
  return Object.fromEntries(entries.map(([key, child]) => [key, withoutNulls(child)]));
}

/**
 * A deep copy of the config with every `secret: true` value replaced by `<redacted>`, and the
 * password of any URL with credentials (`https://user:pw@host`) too.
 */
export function redactConfig(config: Config): unknown {
  return withoutUrlPasswords(
    mapMarked(rootSchema, config, 'secret', (value) => (value === '' ? value : REDACTED)),
  );
}

function withoutUrlPasswords(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (Array.isArray(value)) return value.map(withoutUrlPasswords);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutUrlPasswords(v)]));
}

/**
 * Every secret value of a config (the `secret: true` keys, whether written, from `${VAR}` or from
 * `VAR_FILE`), plus the `Authorization: Basic` form of each username/password pair: what
 * `rememberSecrets` keeps out of every log line.
 */
export function secretValues(config: Config): string[] {
  const values: string[] = [];
  const collect = (value: unknown): unknown => {
    if (typeof value === 'string' && value !== '') values.push(value);
    return value;
  };
  mapMarked(rootSchema, config, 'secret', collect);
  const pairs = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const { username, password } = node as { username?: unknown; password?: unknown };
    if (typeof username === 'string' && typeof password === 'string' && password !== '') {
      values.push(Buffer.from(`${username}:${password}`).toString('base64'));
    }
    for (const child of Object.values(node)) pairs(child);
  };
  pairs(config);
  return values;
}
