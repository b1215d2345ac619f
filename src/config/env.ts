import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { type Found, formatPath, type Segment } from './locate.js';
import { expectsString } from './walk.js';

export type ConfigEnv = Record<string, string | undefined>;

const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const referenceBody = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Replaces `${VAR}` in every string scalar, in place; returns the problems. */
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
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set !== undefined) return set;
    const message = `environment variable ${name} is not set (write \${${name}:-} to allow it to be empty)`;
    found.push({ path, message, code: 'GAX_ERR_CONFIG_ENV' });
    return '';
  });
  if (value === text) return found;
  done.add(formatPath(path));
  node.value = /^\$\{[^}]*\}$/.test(text) && !expectsString(path) ? reread(value) : value;
  return found;
}

/** `port: ${PORT}` becomes a number: a whole-scalar reference is read as a YAML scalar, never a collection. */
function reread(value: string): unknown {
  const scalar = parseDocument(value);
  return scalar.errors.length === 0 && isScalar(scalar.contents) ? scalar.contents.value : value;
}
