import { open } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { enabledPlugins, pluginSection } from '../config/sections.js';
import type { LineParser } from '../parsers/format.js';
import { historyPolicy, instanceType } from '../plugin/registry.js';
import { sampleTimeRange } from './replay-files.js';

/** The checks `gax replay` makes before sending anything; each prints why it says no. */

export interface CheckIo {
  stderr: NodeJS.WritableStream;
}

/** Each file's size, or undefined (after printing every problem) when one cannot be read. */
export async function fileSizes(
  files: readonly string[],
  io: CheckIo,
): Promise<{ total: number } | undefined> {
  if (files.length === 0) {
    io.stderr.write('gax replay: no log files given [GAX_ERR_CLI_USAGE]\n');
    return undefined;
  }
  let total = 0;
  let ok = true;
  for (const file of files) {
    try {
      const handle = await open(file, 'r');
      try {
        const stats = await handle.stat();
        if (stats.isDirectory()) throw new Error('is a directory');
        total += stats.size;
      } finally {
        await handle.close();
      }
    } catch (err) {
      ok = false;
      const why = err instanceof Error ? err.message : String(err);
      io.stderr.write(`gax replay: cannot read ${file}: ${why} [GAX_ERR_INPUT_READ]\n`);
    }
  }
  return ok ? { total } : undefined;
}

/** The plugins to replay into, or undefined after printing why none can be used. */
export function choosePlugins(
  config: Config,
  named: readonly string[] | undefined,
  io: CheckIo,
): string[] | undefined {
  if (named !== undefined && named.length > 0) {
    const ids = [...new Set(named)];
    for (const id of ids) {
      if (instanceType(id) === undefined || pluginSection(config, id) === undefined) {
        const known = Object.keys(config.plugins).join(', ');
        io.stderr.write(`gax replay: unknown plugin "${id}" (one of: ${known}) [GAX_ERR_CLI_USAGE]\n`);
        return undefined;
      }
      const policy = historyPolicy(id);
      if (policy.accepts === 'none') {
        io.stderr.write(
          `gax replay: plugin "${id}" cannot take historic events: ${policy.reason} [GAX_ERR_REPLAY_REFUSED]\n`,
        );
        return undefined;
      }
    }
    return ids;
  }
  const enabled = enabledPlugins(config).filter((id) => instanceType(id) !== undefined);
  const usable: string[] = [];
  for (const id of enabled) {
    const policy = historyPolicy(id);
    if (policy.accepts === 'none') io.stderr.write(`gax replay: skipping plugin "${id}": ${policy.reason}\n`);
    else usable.push(id);
  }
  if (usable.length === 0) {
    io.stderr.write(
      'gax replay: no enabled plugin can take historic events; name one with --plugin (e.g. --plugin elasticsearch) [GAX_ERR_REPLAY_REFUSED]\n',
    );
    return undefined;
  }
  return usable;
}

/** Refuses (false) when a time-window plugin cannot take any event of the files; warns when some. */
export async function checkWindows(
  chosen: readonly string[],
  files: readonly string[],
  parser: LineParser,
  maxLineBytes: number,
  io: CheckIo,
): Promise<boolean> {
  const windowed = chosen.flatMap((id) => {
    const policy = historyPolicy(id);
    return policy.accepts === 'window' ? [{ id, policy }] : [];
  });
  if (windowed.length === 0) return true;
  const range = await sampleTimeRange(files, parser, maxLineBytes);
  if (range === undefined) return true;
  const now = Date.now();
  const span = `${new Date(range.first).toISOString()} … ${new Date(range.last).toISOString()}`;
  let ok = true;
  for (const { id, policy } of windowed) {
    const oldest = now - policy.maxAgeMs;
    const newest = now + policy.maxAheadMs;
    if (range.last < oldest || range.first > newest) {
      const others = chosen.filter((c) => c !== id);
      const hint = others.length > 0 ? `--plugin ${others.join(' --plugin ')}` : '--plugin elasticsearch';
      io.stderr.write(
        `gax replay: plugin "${id}" cannot take these events: they are from ${span}, and ${policy.why} (${new Date(oldest).toISOString()} … ${new Date(newest).toISOString()} now). Send them elsewhere, e.g. ${hint} [GAX_ERR_REPLAY_REFUSED]\n`,
      );
      ok = false;
    } else if (range.first < oldest || range.last > newest) {
      io.stderr.write(
        `gax replay: plugin "${id}": the events are from ${span}; ${policy.why}, so those outside that window are dead-lettered with the reason.\n`,
      );
    }
  }
  return ok;
}
