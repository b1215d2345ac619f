import { basename, dirname, extname, join } from 'node:path';
import type { Found, Segment } from './locate.js';
import type { Config } from './schema.js';

/**
 * Settings that are each valid but contradict each other: a plugin that can never be reached,
 * a section configured but left off, gax reading its own output. Reported as warnings
 * (`GAX_ERR_CONFIG_CONFLICT`) by `gax check-config` and logged by `gax run` at start and on
 * reload; none stops the daemon, since each has a reading in which it is what the operator meant.
 */

/** Plugin sections that carry settings but no `enabled` key, read from the file as written. */
export function writtenButOff(raw: unknown): string[] {
  const plugins = (raw as { plugins?: unknown } | null)?.plugins;
  if (typeof plugins !== 'object' || plugins === null) return [];
  return Object.entries(plugins)
    .filter(([, section]) => {
      if (typeof section !== 'object' || section === null) return false;
      return !('enabled' in section) && Object.keys(section).length > 0;
    })
    .map(([name]) => name);
}

/** Every contradiction in a loaded config; `silentlyOff` from {@link writtenButOff} before defaults. */
export function conflicts(config: Config, silentlyOff: readonly string[] = []): Found[] {
  const found: Found[] = [];
  const warn = (path: Segment[], message: string): void => {
    found.push({ path, message, code: 'GAX_ERR_CONFIG_CONFLICT' });
  };
  const { plugins } = config;
  for (const name of silentlyOff) {
    if (plugins[name as keyof typeof plugins]?.enabled === false) {
      warn(
        ['plugins', name],
        `has settings but is off (this plugin is off unless enabled): add "enabled: true" to use it, or remove the section`,
      );
    }
  }
  if (plugins.prometheus.enabled && !config.server.enabled) {
    warn(
      ['plugins', 'prometheus', 'enabled'],
      'the prometheus plugin is served on the HTTP server’s /metrics, but server.enabled is false: nothing can scrape it (enable the server, or disable the plugin)',
    );
  }
  const deadLetter = config.pipeline.deadLetter.path;
  if (plugins.file.enabled && plugins.file.path === deadLetter) {
    warn(
      ['plugins', 'file', 'path'],
      `is also the dead-letter file (${deadLetter}): events and dead letters would be mixed, and each file's rotation would cut the other's`,
    );
  }
  config.inputs.forEach((input, i) => {
    const own: [Segment[], string, string][] = [
      [['pipeline', 'deadLetter', 'path'], deadLetter, 'the dead-letter file'],
    ];
    if (plugins.file.enabled)
      own.push([['plugins', 'file', 'path'], plugins.file.path, 'the file plugin’s output']);
    for (const [path, file, what] of own) {
      const pattern = input.paths.find((p) => readsFile(p, file, input.followRotated));
      if (pattern !== undefined)
        warn(
          path,
          `${what} (${file}) is matched by inputs[${i}].paths "${pattern}": gax would read what it writes`,
        );
    }
  });
  const es = plugins.elasticsearch;
  if (es.enabled && es.indexMode === 'index' && es.templates.ilmPolicy !== undefined) {
    warn(
      ['plugins', 'elasticsearch', 'templates', 'ilmPolicy'],
      'indexMode "index" writes fixed index names that never roll over, so an ILM policy’s rollover cannot act on them: use indexMode "daily" or "dataStream" with it',
    );
  }
  const retry = config.pipeline.retry;
  if (retry.maxIntervalMs < retry.initialIntervalMs) {
    warn(
      ['pipeline', 'retry', 'maxIntervalMs'],
      `is below initialIntervalMs (${retry.initialIntervalMs}): every retry waits maxIntervalMs`,
    );
  }
  return found;
}

/**
 * Whether an input path (a glob) names `file`, directly or, with `followRotated`, as one of its
 * rotated siblings (`<name>-*<ext>`), as the tailer expands them.
 */
export function readsFile(pattern: string, file: string, followRotated: boolean): boolean {
  if (globMatches(pattern, file)) return true;
  if (!followRotated) return false;
  const ext = extname(pattern);
  if (ext === '') return false;
  const sibling = join(dirname(pattern), `${basename(pattern, ext)}-*${ext}`);
  return globMatches(sibling, file);
}

/** `*` and `?` within a path segment, `**` across segments, `{a,b}` alternatives, `[…]` classes. */
export function globMatches(pattern: string, path: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') source += '(?:';
    else if (c === '}') source += ')';
    else if (c === ',' && source.includes('(?:')) source += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(path);
}
