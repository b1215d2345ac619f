import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { LineCounter, parseDocument } from 'yaml';
import { type ConfigEnv, substitute } from './env.js';
import { type At, type ConfigProblem, type Found, formatPath, sortByPosition, toProblem } from './locate.js';
import { crossChecks, schemaProblems, syntaxMessage } from './problems.js';
import { type Config, ConfigSchema } from './schema.js';
import { mapMarked, plainSecrets, resolvePaths, rootSchema } from './walk.js';

export type { ConfigEnv } from './env.js';
export type { ConfigProblem } from './locate.js';

export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
addFormats.default(ajv);
const validate = ajv.compile<Config>(ConfigSchema);

/** Reads and parses a config file; relative paths in it resolve against its directory. */
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
  return parseConfig(text, { env, source: path });
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

/** A deep copy of the config with every `secret: true` value replaced by `<redacted>`. */
export function redactConfig(config: Config): unknown {
  return mapMarked(rootSchema, config, 'secret', (value) => (value === '' ? value : '<redacted>'));
}
