import { basename, dirname, extname, join } from 'node:path';
import { instanceType, pluginDefinition } from '../plugin/registry.js';
import type { Found, Segment } from './locate.js';
import type { Config } from './schema.js';
import { pluginSection, pluginSections } from './sections.js';

/**
 * Settings that are each valid but contradict each other: a plugin that can never be reached,
 * a section configured but left off, gax reading its own output (plugin-specific checks are the
 * plugins' own `conflicts` capability, src/plugin/capabilities.ts). Reported as warnings
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

/**
 * Every contradiction in a loaded config; `silentlyOff` from {@link writtenButOff} before defaults.
 * The core checks what is its own (sections left off, inputs reading the dead-letter file, retry
 * settings); each enabled plugin instance adds its own through its definition's `conflicts`.
 */
export function conflicts(config: Config, silentlyOff: readonly string[] = []): Found[] {
  const found: Found[] = [];
  const warn = (path: Segment[], message: string): void => {
    found.push({ path, message, code: 'GAX_ERR_CONFIG_CONFLICT' });
  };
  for (const name of silentlyOff) {
    if (pluginSection(config, name)?.enabled === false) {
      warn(
        ['plugins', name],
        `has settings but is off (this plugin is off unless enabled): add "enabled: true" to use it, or remove the section`,
      );
    }
  }
  const deadLetter = config.pipeline.deadLetter.path;
  const inputsReading = (file: string): { index: number; pattern: string }[] =>
    config.inputs.flatMap((input, index) => {
      const pattern = input.paths.find((p) => readsFile(p, file, input.followRotated));
      return pattern === undefined ? [] : [{ index, pattern }];
    });
  const enabled = pluginSections(config).filter(
    ([id, section]) => section.enabled && instanceType(id) !== undefined,
  );
  for (const [i, [id, section]] of enabled.entries()) {
    const type = instanceType(id);
    if (type === undefined) continue;
    const check = pluginDefinition(type).conflicts;
    // Sections are validated against their type's schema before the checks run.
    const earlier = enabled
      .slice(0, i)
      .filter(([other]) => instanceType(other) === type)
      .map(([other, s]) => ({ id: other, section: s as unknown as Record<string, unknown> }));
    const context = {
      id,
      serverEnabled: config.server.enabled,
      deadLetterPath: deadLetter,
      inputsReading,
      earlier,
    };
    const validated = section as unknown as Record<string, unknown>;
    for (const c of check?.(validated, context) ?? []) warn(['plugins', id, ...c.path], c.message);
  }
  for (const { index, pattern } of inputsReading(deadLetter)) {
    warn(
      ['pipeline', 'deadLetter', 'path'],
      `the dead-letter file (${deadLetter}) is matched by inputs[${index}].paths "${pattern}": gax would read what it writes`,
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
