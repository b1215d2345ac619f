import { open } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { enabledPlugins, pluginSection } from '../config/sections.js';
import { GaxError } from '../errors.js';
import type { LineParser } from '../parsers/format.js';
import { historyPolicy, instanceType } from '../plugin/registry.js';
import { sampleTimeRange } from './replay-files.js';

/**
 * The checks `gax replay` makes before sending anything; each throws why it says no as a
 * `GaxError` (exit 2), which the CLI renders.
 */

export interface CheckIo {
  stderr: NodeJS.WritableStream;
}

/** The files' total size; throws every file that cannot be read (`GAX_ERR_INPUT_READ`). */
export async function fileSizes(files: readonly string[]): Promise<{ total: number }> {
  if (files.length === 0) throw refusal('GAX_ERR_CLI_USAGE', 'no log files given');
  let total = 0;
  const unreadable: GaxError[] = [];
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
      const why = err instanceof Error ? err.message : String(err);
      unreadable.push(refusal('GAX_ERR_INPUT_READ', `cannot read ${file}: ${why}`));
    }
  }
  const [first, ...rest] = unreadable;
  if (first !== undefined) throw refusal(first.code, first.message, rest);
  return { total };
}

/** The plugins to replay into; throws why when one named, or every enabled one, cannot be used. */
export function choosePlugins(config: Config, named: readonly string[] | undefined, io: CheckIo): string[] {
  if (named !== undefined && named.length > 0) {
    const ids = [...new Set(named)];
    for (const id of ids) {
      if (instanceType(id) === undefined || pluginSection(config, id) === undefined) {
        const known = Object.keys(config.plugins).join(', ');
        throw refusal('GAX_ERR_CLI_USAGE', `unknown plugin "${id}" (one of: ${known})`);
      }
      const policy = historyPolicy(id);
      if (policy.accepts === 'none')
        throw refusal(
          'GAX_ERR_REPLAY_REFUSED',
          `plugin "${id}" cannot take historic events: ${policy.reason}`,
        );
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
  if (usable.length === 0)
    throw refusal(
      'GAX_ERR_REPLAY_REFUSED',
      'no enabled plugin can take historic events; name one with --plugin (e.g. --plugin elasticsearch)',
    );
  return usable;
}

/** Throws when a time-window plugin cannot take any event of the files; warns when some. */
export async function checkWindows(
  chosen: readonly string[],
  files: readonly string[],
  parser: LineParser,
  maxLineBytes: number,
  io: CheckIo,
): Promise<void> {
  const windowed = chosen.flatMap((id) => {
    const policy = historyPolicy(id);
    return policy.accepts === 'window' ? [{ id, policy }] : [];
  });
  if (windowed.length === 0) return;
  const range = await sampleTimeRange(files, parser, maxLineBytes);
  if (range === undefined) return;
  const now = Date.now();
  const span = `${new Date(range.first).toISOString()} … ${new Date(range.last).toISOString()}`;
  const refused: GaxError[] = [];
  for (const { id, policy } of windowed) {
    const oldest = now - policy.maxAgeMs;
    const newest = now + policy.maxAheadMs;
    if (range.last < oldest || range.first > newest) {
      const others = chosen.filter((c) => c !== id);
      const hint = others.length > 0 ? `--plugin ${others.join(' --plugin ')}` : '--plugin elasticsearch';
      refused.push(
        refusal(
          'GAX_ERR_REPLAY_REFUSED',
          `plugin "${id}" cannot take these events: they are from ${span}, and ${policy.why} (${new Date(oldest).toISOString()} … ${new Date(newest).toISOString()} now). Send them elsewhere, e.g. ${hint}`,
        ),
      );
    } else if (range.first < oldest || range.last > newest) {
      io.stderr.write(
        `gax replay: plugin "${id}": the events are from ${span}; ${policy.why}, so those outside that window are dead-lettered with the reason.\n`,
      );
    }
  }
  const [first, ...rest] = refused;
  if (first !== undefined) throw refusal(first.code, first.message, rest);
}

/** A refusal of `gax replay`: exit 2, whatever the code. */
function refusal(code: GaxError['code'], message: string, also: readonly GaxError[] = []): GaxError {
  return new GaxError(code, message, { command: 'replay', exitCode: 2, also });
}
