import { readFileSync, statSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { type Found, formatPath, type Segment } from './locate.js';
import { expectsString } from './walk.js';

export type ConfigEnv = Record<string, string | undefined>;

const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const referenceBody = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Replaces `${VAR}` (or the content of the file `VAR_FILE` names) in every string scalar, in place; returns the problems. */
export function substitute(node: unknown, path: Segment[], env: ConfigEnv, done: Set<string>): Found[] {
  if (isMap(node)) {
    return node.items.flatMap((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      return substitute(pair.value, [...path, key], env, done);
    });
  }
  if (isSeq(node)) return node.items.flatMap((item, i) => substitute(item, [...path, i], env, done));
  if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return [];
  const text = node.value;
  const found: Found[] = [];
  const value = text.replace(reference, (match, body: string | undefined) => {
    if (match === '$${') return '${';
    const parts = body === undefined ? null : referenceBody.exec(body);
    if (parts === null) {
      const message = `invalid reference "${match}": write \${NAME} or \${NAME:-default}, and $\${ for a literal \${`;
      found.push({ path, message, code: 'GAX_ERR_CONFIG_ENV' });
      return '';
    }
    const [, name = '', fallback] = parts;
    const fromFile = secretFile(name, env);
    if (fromFile !== undefined && 'problem' in fromFile) {
      found.push({ path, message: fromFile.problem, code: 'GAX_ERR_CONFIG_ENV_FILE' });
      return '';
    }
    const set = fromFile?.value ?? env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set !== undefined) return set;
    const message = `environment variable ${name} is not set (write \${${name}:-} to allow it to be empty, or set ${name}_FILE to a file holding the value)`;
    found.push({ path, message, code: 'GAX_ERR_CONFIG_ENV' });
    return '';
  });
  if (value === text) return found;
  done.add(formatPath(path));
  node.value = /^\$\{[^}]*\}$/.test(text) && !expectsString(path) ? reread(value) : value;
  return found;
}

/** Longest `NAME_FILE` read: a secret, not a data file (and never a device such as /dev/zero). */
const MAX_SECRET_FILE_BYTES = 65_536;

/**
 * `NAME_FILE`, the Docker and Kubernetes secrets convention: when it is set, `${NAME}` is the
 * file's content without its trailing newline. Undefined when `NAME_FILE` is not set.
 */
function secretFile(name: string, env: ConfigEnv): { value: string } | { problem: string } | undefined {
  const file = env[`${name}_FILE`];
  if (file === undefined) return undefined;
  if (env[name] !== undefined) {
    return { problem: `both ${name} and ${name}_FILE are set; set only one of them` };
  }
  const cannot = (reason: string) => ({ problem: `cannot read ${name}_FILE ${file} (${reason})` });
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return cannot('not a regular file');
    if (stat.size > MAX_SECRET_FILE_BYTES) return cannot(`larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch (err) {
    return cannot((err as NodeJS.ErrnoException).code ?? String(err));
  }
}

/** `port: ${PORT}` becomes a number: a whole-scalar reference is read as a YAML scalar, never a collection. */
function reread(value: string): unknown {
  const scalar = parseDocument(value);
  return scalar.errors.length === 0 && isScalar(scalar.contents) ? scalar.contents.value : value;
}
