import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ErrorCode } from '../errors.js';
import type { FormatDefinition, ParsedEvent, ParseOptions } from '../parsers/format.js';
import { findFormat, formats } from '../parsers/index.js';
import { type EventOrigin, eventOrigin, withOriginJson } from '../parsers/origin.js';
import { BatchedOutput, type ParseIo } from './batched-output.js';

export type { ParseIo };

export interface ParseCommandOptions {
  /** Longest accepted line in bytes (newline excluded); default: the format's (`maxLineBytes`). */
  maxLineBytes?: number;
  /** The input format, a name in `formats` (src/parsers/index.ts); default: the first, `wso2-apim`. */
  format?: string;
  /** `host.name` of every event; absent by default (the files may come from any node). */
  hostName?: string;
}

const READ_CHUNK_BYTES = 64 * 1024;
const NEWLINE = 10;

/**
 * `gax parse FILE...`: parses log files of one input format offline. Canonical events, stamped with
 * `gateway.type` (and `host.name` when given), go to stdout as NDJSON in input order; each rejected metric line goes to stderr as one JSON object
 * `{"file","line","reason","detail"}` (1-based line); skipped lines print nothing.
 *
 * Returns 0 when nothing was rejected, 1 when something was, 2 for usage errors: no files, or a
 * file that cannot be opened (all files are checked first; then nothing is parsed and each problem
 * is printed as `{"file","error","code"}`). A read or output error mid-way also ends in 2.
 * Files are streamed in 64 KiB chunks and split on `\n` here, so memory stays bounded by
 * `maxLineBytes` plus one chunk whatever the file size; CRLF and a last line without a newline are
 * fine. Never throws for bad input.
 */
export async function runParse(
  files: readonly string[],
  io: ParseIo,
  options: ParseCommandOptions = {},
): Promise<0 | 1 | 2> {
  const format = findFormat(options.format ?? formats[0].name);
  if (format === undefined) {
    const known = formats.map((f) => f.name).join(', ');
    io.stderr.write(
      `${JSON.stringify(usageError(`unknown format "${options.format}"; known formats: ${known}`))}\n`,
    );
    return 2;
  }
  if (files.length === 0) {
    io.stderr.write(`${JSON.stringify(usageError('no input files; usage: gax parse FILE...'))}\n`);
    return 2;
  }
  const problems = await unreadableFiles(files);
  if (problems.length > 0) {
    io.stderr.write(problems.map((problem) => `${JSON.stringify(problem)}\n`).join(''));
    return 2;
  }

  const reader: FileReader = {
    format,
    origin: eventOrigin(format.name, options.hostName),
    maxLineBytes: options.maxLineBytes ?? format.maxLineBytes,
  };
  const output = new BatchedOutput(io);
  let rejected = 0;
  let failed = false;
  for (const file of files) {
    const result = await parseFile(file, reader, output);
    rejected += result.rejected;
    if (result.error !== undefined) {
      output.error(`${JSON.stringify(inputError(file, result.error))}\n`);
      failed = true;
    }
    if (output.failed) break;
  }
  await output.close();
  if (failed || output.failed) return 2;
  return rejected > 0 ? 1 : 0;
}

/** How every file of one `gax parse` is read. */
interface FileReader {
  readonly format: FormatDefinition;
  readonly origin: EventOrigin;
  readonly maxLineBytes: number;
}

interface FileResult {
  readonly rejected: number;
  readonly error?: string;
}

async function parseFile(file: string, reader: FileReader, output: BatchedOutput): Promise<FileResult> {
  const { format, origin, maxLineBytes } = reader;
  const { parser } = format;
  const serialise =
    format.eventJson ??
    ((parsed: ParsedEvent, members: string) => withOriginJson(JSON.stringify(parsed.event), members));
  const parseOptions: ParseOptions = { maxLineBytes };
  const fileJson = JSON.stringify(file);
  let rejected = 0;
  let lineNumber = 0;
  // The unfinished line: buffered parts, or (once it is too long) only its byte count.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;

  const finishLine = (chunk: Buffer, start: number, end: number): void => {
    lineNumber++;
    const bytes = partBytes + end - start;
    if (tooLong || bytes > maxLineBytes) {
      rejected++;
      const detail = `line is ${bytes} bytes, the limit is ${maxLineBytes}`;
      output.error(rejection(fileJson, lineNumber, 'line_too_long', detail));
    } else {
      const text =
        parts.length === 0
          ? chunk.toString('utf8', start, end)
          : Buffer.concat([...parts, chunk.subarray(start, end)], bytes).toString('utf8');
      const result = parser.parseLine(text, parseOptions);
      if (result.kind === 'event') output.event(`${serialise(result, origin.json)}\n`);
      else if (result.kind === 'reject') {
        rejected++;
        output.error(rejection(fileJson, lineNumber, result.reason, result.detail));
      }
    }
    parts = [];
    partBytes = 0;
    tooLong = false;
  };

  try {
    for await (const chunk of createReadStream(file, {
      highWaterMark: READ_CHUNK_BYTES,
    }) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        finishLine(chunk, start, nl);
        start = nl + 1;
      }
      if (start < chunk.length) {
        // Keep the unfinished line unless it is already too long; then only count its bytes.
        partBytes += chunk.length - start;
        if (!tooLong && partBytes > maxLineBytes) {
          tooLong = true;
          parts = [];
        }
        if (!tooLong) parts.push(chunk.subarray(start));
      }
      if (output.pending) await output.flush();
      if (output.failed) return { rejected };
    }
  } catch (err) {
    return { rejected, error: messageOf(err) };
  }
  if (partBytes > 0 || tooLong) finishLine(Buffer.alloc(0), 0, 0);
  return { rejected };
}

function rejection(fileJson: string, line: number, reason: string, detail: string): string {
  return `{"file":${fileJson},"line":${line},"reason":${JSON.stringify(reason)},"detail":${JSON.stringify(detail)}}\n`;
}

interface CommandError {
  readonly file?: string;
  readonly error: string;
  readonly code: ErrorCode;
}

function usageError(error: string): CommandError {
  return { error, code: 'GAX_ERR_CLI_USAGE' };
}

function inputError(file: string, error: string): CommandError {
  return { file, error, code: 'GAX_ERR_INPUT_READ' };
}

/** Every file that cannot be opened for reading (or is a directory), with the reason. */
async function unreadableFiles(files: readonly string[]): Promise<CommandError[]> {
  const problems: CommandError[] = [];
  for (const file of files) {
    try {
      const handle = await open(file, 'r');
      try {
        if ((await handle.stat()).isDirectory()) problems.push(inputError(file, 'is a directory'));
      } finally {
        await handle.close();
      }
    } catch (err) {
      problems.push(inputError(file, messageOf(err)));
    }
  }
  return problems;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
