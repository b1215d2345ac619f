import type { StoredDeadLetterRecord } from '../pipeline/dead-letter.js';
import type { DeadLetterEntry } from './files.js';

/** Records of one stage, plugin, kind and reason (see {@link reasonKey}). */
export interface SummaryGroup {
  readonly stage: 'parse' | 'deliver';
  /** `null` for parse records: they belong to no plugin. */
  readonly plugin: string | null;
  readonly kind: 'rejected' | 'exhausted' | null;
  /** The reason with its variable parts (times, quoted values, positions) replaced. */
  readonly reason: string;
  count: number;
  /** Not yet finished by a replay (parse records: for no plugin yet). */
  pending: number;
  /** Write times of the oldest and newest record. */
  first: string;
  last: string;
  /** One record's own reason and what it was about (the event, or the line's detail and text). */
  readonly example: { readonly reason: string; readonly detail: string };
  /** Parse records only: how many lines the current parser turns into an event (a parser fix). */
  parsesNow?: number;
}

export interface FileSummary {
  readonly path: string;
  readonly bytes: number;
  records: number;
  garbage: number;
  torn: number;
}

export interface DeadLetterSummary {
  readonly path: string;
  readonly files: FileSummary[];
  readonly records: number;
  readonly pending: number;
  /** Complete lines that are not records (not JSON, or not a record's shape). */
  readonly garbage: number;
  /** Last lines without their newline (a write cut short). */
  readonly torn: number;
  readonly first: string | null;
  readonly last: string | null;
  readonly groups: SummaryGroup[];
  /** Up to three unreadable lines, for a look. */
  readonly garbageExamples: { readonly file: string; readonly line: number; readonly text: string }[];
}

export interface SummariserOptions {
  /** Whether a replay has finished this record (for its plugin; parse records: for any). */
  readonly replayed: (record: StoredDeadLetterRecord, id: string) => boolean;
  /** Whether the current parser (of the record's format, if it names one) turns this rejected line into an event. */
  readonly parsesNow?: (line: string, format: string | undefined) => boolean;
}

/** Folds dead-letter entries into a summary by stage, plugin, kind and reason. Pure. */
export class DeadLetterSummariser {
  readonly #options: SummariserOptions;
  readonly #groups = new Map<string, SummaryGroup>();
  readonly #files = new Map<string, FileSummary>();
  readonly #garbage: DeadLetterSummary['garbageExamples'] = [];
  #records = 0;
  #pending = 0;
  #first: string | null = null;
  #last: string | null = null;

  constructor(options: SummariserOptions) {
    this.#options = options;
  }

  /** Registers a file so it is listed even when empty. */
  file(path: string, bytes: number): void {
    if (!this.#files.has(path)) this.#files.set(path, { path, bytes, records: 0, garbage: 0, torn: 0 });
  }

  add(entry: DeadLetterEntry): void {
    const file = this.#files.get(entry.file) ?? {
      path: entry.file,
      bytes: 0,
      records: 0,
      garbage: 0,
      torn: 0,
    };
    this.#files.set(entry.file, file);
    switch (entry.kind) {
      case 'garbage':
        file.garbage++;
        if (this.#garbage.length < 3)
          this.#garbage.push({ file: entry.file, line: entry.line, text: entry.text });
        return;
      case 'torn':
        file.torn++;
        return;
      case 'record':
        file.records++;
        this.#record(entry.record, entry.id);
        return;
      default:
        assertNever(entry);
    }
  }

  result(path: string): DeadLetterSummary {
    const files = [...this.#files.values()];
    const order = (g: SummaryGroup) => `${g.stage === 'deliver' ? 0 : 1}\t${g.plugin ?? ''}\t${g.kind ?? ''}`;
    const groups = [...this.#groups.values()].sort(
      (a, b) => order(a).localeCompare(order(b)) || b.count - a.count || a.reason.localeCompare(b.reason),
    );
    return {
      path,
      files,
      records: this.#records,
      pending: this.#pending,
      garbage: files.reduce((n, f) => n + f.garbage, 0),
      torn: files.reduce((n, f) => n + f.torn, 0),
      first: this.#first,
      last: this.#last,
      groups,
      garbageExamples: this.#garbage,
    };
  }

  #record(record: StoredDeadLetterRecord, id: string): void {
    this.#records++;
    const pending = !this.#options.replayed(record, id);
    if (pending) this.#pending++;
    if (this.#first === null || record.time < this.#first) this.#first = record.time;
    if (this.#last === null || record.time > this.#last) this.#last = record.time;
    const plugin = record.stage === 'deliver' ? record.plugin : null;
    const kind = record.stage === 'deliver' ? record.kind : null;
    const reason = reasonKey(record.reason);
    const key = JSON.stringify([record.stage, plugin, kind, reason]);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = {
        stage: record.stage,
        plugin,
        kind,
        reason,
        count: 0,
        pending: 0,
        first: record.time,
        last: record.time,
        example: { reason: record.reason, detail: detailOf(record) },
        ...(record.stage === 'parse' && this.#options.parsesNow !== undefined ? { parsesNow: 0 } : {}),
      };
      this.#groups.set(key, group);
    }
    group.count++;
    if (pending) group.pending++;
    if (record.time < group.first) group.first = record.time;
    if (record.time > group.last) group.last = record.time;
    if (
      record.stage === 'parse' &&
      group.parsesNow !== undefined &&
      this.#options.parsesNow?.(record.line, record.format)
    ) {
      group.parsesNow++;
    }
  }
}

function detailOf(record: StoredDeadLetterRecord): string {
  if (record.stage === 'deliver') {
    const { eventType, correlationId, requestTimestamp } = record.event;
    return `${eventType} ${correlationId} at ${requestTimestamp}`;
  }
  const where = record.source.file === '' ? '' : ` (${record.source.file} @${record.source.offset})`;
  return `${record.detail}${where}: ${record.line.slice(0, 120)}`;
}

const REPLACEMENTS: readonly [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/(?<!\w)'[^']*'/g, "'…'"],
  [/(?<!\w)"[^"]*"/g, '"…"'],
  [/\[\d+:\d+\]/g, '[…]'],
  [/\bafter \d+ attempts\b/g, 'after N attempts'],
  [/(?<![\w.])\d{4,}(?![\w.])/g, 'N'],
];

const MAX_REASON = 240;

/**
 * A reason with the parts that differ per event replaced, so records of one cause group
 * together: times, quoted values, `[line:column]` positions, attempt counts, long numbers.
 */
export function reasonKey(reason: string): string {
  let key = reason;
  for (const [pattern, replacement] of REPLACEMENTS) key = key.replace(pattern, replacement);
  return key.length > MAX_REASON ? `${key.slice(0, MAX_REASON - 1)}…` : key;
}

function assertNever(value: never): never {
  throw new Error(`unexpected entry ${JSON.stringify(value)}`);
}
