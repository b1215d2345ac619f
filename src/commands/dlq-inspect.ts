import type { ConfigEnv } from '../config/load.js';
import { closeDeadLetterFiles, openDeadLetterFiles, readDeadLetters } from '../dead-letter/files.js';
import { ReplayLedger } from '../dead-letter/ledger.js';
import { renderSummary } from '../dead-letter/render.js';
import { DeadLetterSummariser, type DeadLetterSummary } from '../dead-letter/summary.js';
import { findFormat, formatOf, formats, type InputFormat } from '../parsers/index.js';
import { loadCommandConfig } from './command-config.js';

export interface DlqInspectOptions {
  /** The daemon's configuration: `pipeline.deadLetter.path` and the input's parser. */
  readonly config?: string;
  /** The dead-letter file itself (instead of `config`). */
  readonly path?: string;
  readonly json?: boolean;
}

export interface DlqIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `gax dlq inspect`: summarises the dead-letter file and its rotated siblings by stage, plugin,
 * kind and reason, with pending (not yet replayed) counts, first/last write time and an example.
 * Lines that are not records and a torn last line are counted, never fatal. Parse records say how
 * many of their lines the current parser accepts. Exit 0 (2 for a usage or config problem).
 */
export async function runDlqInspect(options: DlqInspectOptions, io: DlqIo, env?: ConfigEnv): Promise<0 | 2> {
  const target = await resolveTarget(options, env);
  const summary = await summarise(target.path, target.format, target.maxLineBytes);
  io.stdout.write(options.json === true ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
  return 0;
}

interface Target {
  readonly path: string;
  readonly format: InputFormat;
  readonly maxLineBytes: number;
}

async function resolveTarget(options: DlqInspectOptions, env: ConfigEnv | undefined): Promise<Target> {
  if (options.path !== undefined) {
    return { path: options.path, format: formats[0].name, maxLineBytes: formats[0].maxLineBytes };
  }
  const config = await loadCommandConfig(options.config as string, env);
  const input = config.inputs[0];
  const format = input?.format ?? formats[0].name;
  return {
    path: config.pipeline.deadLetter.path,
    format,
    maxLineBytes: input?.maxLineBytes ?? formatOf(format).maxLineBytes,
  };
}

/** Reads every dead-letter file of `path` (and the replay ledger) into a summary. */
export async function summarise(
  path: string,
  format: InputFormat = formats[0].name,
  maxLineBytes = formatOf(format).maxLineBytes,
): Promise<DeadLetterSummary> {
  const ledger = await ReplayLedger.load(path);
  const fallback = formatOf(format).parser;
  const summariser = new DeadLetterSummariser({
    replayed: (record, id) => (record.stage === 'deliver' ? ledger.has(record.plugin, id) : ledger.any(id)),
    parsesNow: (line, recorded) => {
      const parser = (recorded === undefined ? undefined : findFormat(recorded))?.parser ?? fallback;
      return parser.parseLine(line, { maxLineBytes }).kind === 'event';
    },
  });
  const files = await openDeadLetterFiles(path);
  try {
    for (const file of files) summariser.file(file.path, file.size);
    for await (const entry of readDeadLetters(files)) summariser.add(entry);
  } finally {
    await closeDeadLetterFiles(files);
  }
  return summariser.result(path);
}
