import { createHash } from 'node:crypto';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { StoredDeadLetterRecord } from '../pipeline/dead-letter.js';

/** One dead-letter file as found: its size then is all that is read (later appends are not). */
export interface DeadLetterFile {
  readonly path: string;
  readonly size: number;
  readonly handle: FileHandle;
}

/** What reading a dead-letter file yields, line by line. Bad input is reported, never thrown. */
export type DeadLetterEntry =
  | {
      readonly kind: 'record';
      readonly record: StoredDeadLetterRecord;
      /** Stable identity of the record: a hash of its line (see {@link recordId}). */
      readonly id: string;
      readonly file: string;
      readonly line: number;
    }
  /** A complete line that is not a dead-letter record (not JSON, or not the record's shape). */
  | { readonly kind: 'garbage'; readonly file: string; readonly line: number; readonly text: string }
  /** The file's last line without its newline: a write cut short (a crash) or still under way. */
  | { readonly kind: 'torn'; readonly file: string; readonly line: number; readonly bytes: number };

/**
 * The dead-letter file and its rotated siblings (`<path>.1` … `<path>.N`), oldest first, opened
 * now: a rotation by the daemon while they are read moves names, not the open files.
 */
export async function openDeadLetterFiles(path: string): Promise<DeadLetterFile[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const rotated = names
    .map((name) => ({ name, n: rotationNumber(name, base) }))
    .filter((r): r is { name: string; n: number } => r.n !== undefined)
    .sort((a, b) => b.n - a.n)
    .map((r) => join(dir, r.name));
  const files: DeadLetterFile[] = [];
  for (const file of [...rotated, path]) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) continue;
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      continue;
    }
    files.push({ path: file, size: stats.size, handle });
  }
  return files;
}

export async function closeDeadLetterFiles(files: readonly DeadLetterFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
}

function rotationNumber(name: string, base: string): number | undefined {
  if (!name.startsWith(`${base}.`)) return undefined;
  const suffix = name.slice(base.length + 1);
  return /^[1-9][0-9]{0,5}$/.test(suffix) ? Number(suffix) : undefined;
}

const CHUNK_BYTES = 256 * 1024;

/** Every entry of `files`, in order, each file read up to the size it had when opened. */
export async function* readDeadLetters(files: readonly DeadLetterFile[]): AsyncGenerator<DeadLetterEntry> {
  for (const file of files) yield* readFile(file);
}

async function* readFile(file: DeadLetterFile): AsyncGenerator<DeadLetterEntry> {
  let held: Buffer[] = [];
  let line = 0;
  const buffer = Buffer.alloc(CHUNK_BYTES);
  for (let position = 0; position < file.size; ) {
    const { bytesRead } = await file.handle.read(
      buffer,
      0,
      Math.min(CHUNK_BYTES, file.size - position),
      position,
    );
    if (bytesRead === 0) break;
    position += bytesRead;
    const chunk = buffer.subarray(0, bytesRead);
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const text = Buffer.concat([...held, chunk.subarray(start, nl)]).toString('utf8');
      held = [];
      start = nl + 1;
      line++;
      if (text.trim() !== '') yield entryOf(text, file.path, line);
    }
    if (start < chunk.length) held.push(Buffer.from(chunk.subarray(start)));
  }
  const bytes = held.reduce((n, b) => n + b.length, 0);
  if (bytes > 0) yield { kind: 'torn', file: file.path, line: line + 1, bytes };
}

function entryOf(text: string, file: string, line: number): DeadLetterEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'garbage', file, line, text: text.slice(0, 200) };
  }
  const record = toStoredRecord(value);
  if (record === undefined) return { kind: 'garbage', file, line, text: text.slice(0, 200) };
  return { kind: 'record', record, id: recordId(text), file, line };
}

/**
 * A record's identity: the first 128 bits of the SHA-256 of its line. The writer stamps each
 * record with its write time, so two records are equal only if the same event was dead-lettered
 * for the same plugin and reason in the same millisecond: one event, replayed once.
 */
export function recordId(line: string): string {
  return createHash('sha256').update(line).digest('base64url').slice(0, 22);
}

/** The value as a dead-letter record, or undefined when it does not have a record's shape. */
export function toStoredRecord(value: unknown): StoredDeadLetterRecord | undefined {
  if (!isObject(value) || typeof value.time !== 'string' || typeof value.reason !== 'string')
    return undefined;
  if (value.stage === 'parse') {
    if (typeof value.line !== 'string') return undefined;
    const source = isObject(value.source) ? value.source : {};
    return {
      stage: 'parse',
      time: value.time,
      reason: value.reason,
      detail: typeof value.detail === 'string' ? value.detail : '',
      source: {
        file: typeof source.file === 'string' ? source.file : '',
        offset: typeof source.offset === 'number' ? source.offset : 0,
      },
      line: value.line,
      ...(typeof value.format === 'string' ? { format: value.format } : {}),
      ...(typeof value.host === 'string' ? { host: value.host } : {}),
    };
  }
  if (value.stage !== 'deliver') return undefined;
  const { plugin, kind, event } = value;
  if (typeof plugin !== 'string' || (kind !== 'rejected' && kind !== 'exhausted')) return undefined;
  if (
    !isObject(event) ||
    typeof event.eventType !== 'string' ||
    typeof event.correlationId !== 'string' ||
    typeof event.requestTimestamp !== 'string'
  ) {
    return undefined;
  }
  return {
    stage: 'deliver',
    time: value.time,
    plugin,
    kind,
    reason: value.reason,
    event: event as unknown as Extract<StoredDeadLetterRecord, { stage: 'deliver' }>['event'],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
