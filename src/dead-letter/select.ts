import type { LineParser, ParseOptions } from '../parsers/format.js';
import { findFormat, formatOf, type InputFormat } from '../parsers/index.js';
import { type EventOrigin, eventOrigin, stampOrigin } from '../parsers/origin.js';
import type { HistoryPolicy } from '../plugin/history.js';
import { inWindow } from '../plugin/history.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { DeadLetterEntry } from './files.js';
import { reasonKey } from './summary.js';

/** Which dead letters `gax dlq replay` re-sends. */
export interface ReplayCriteria {
  readonly plugin: string;
  /** Only records whose reason (or its grouped form, as `gax dlq inspect` shows it) contains this. */
  readonly reason?: string;
  /** Only records written at or after this time (epoch ms). */
  readonly since?: number;
  /** Also re-parse rejected lines (`stage: parse`) with the current parser and send their events. */
  readonly reparse?: Reparse;
  readonly policy: HistoryPolicy;
  readonly now: number;
}

/** How one rejected line is parsed again; `origin` is stamped on its event (as the reader does). */
export interface LineReparse {
  readonly parser: LineParser;
  readonly options: ParseOptions;
  readonly origin?: EventOrigin;
}

/** How rejected lines are parsed again, given the format and host a record names (if any). */
export interface Reparse {
  of(record: { readonly format?: string; readonly host?: string }): LineReparse;
}

/**
 * The reparse of dead-lettered lines: each by the format its record names (written since gax
 * 0.2) with that record's `host.name`, else by `fallback`'s format with no `host.name` (never
 * guessed). Events get `gateway.type` as the reader gives it.
 */
export function reparseFor(fallback: {
  readonly format: InputFormat;
  readonly maxLineBytes: number;
}): Reparse {
  const options = { maxLineBytes: fallback.maxLineBytes };
  return {
    of: ({ format, host }) => {
      const known = format === undefined ? undefined : findFormat(format);
      const name = known?.name ?? fallback.format;
      return {
        parser: (known ?? formatOf(fallback.format)).parser,
        options,
        origin: eventOrigin(name, host),
      };
    },
  };
}

/** What to do with one selected record. */
export type ReplayStep =
  | { readonly kind: 'send'; readonly id: string; readonly event: CanonicalEvent }
  /** Nothing to send any more (a re-parsed line that is now skipped): mark it finished. */
  | { readonly kind: 'finish'; readonly id: string };

/** What selection saw, for the summary. */
export interface SelectionCounts {
  records: number;
  /** Records of this plugin (and parse records with `reparse`) matching the filters, not yet replayed. */
  selected: number;
  /** Already finished by an earlier replay. */
  alreadyReplayed: number;
  /** Matching records left alone because the backend would refuse their time (Datadog). */
  outsideWindow: number;
  /** Parse records re-parsed that the current parser still rejects: left pending. */
  stillRejected: number;
  /** Parse records not considered (no `reparse`). */
  parseRecords: number;
  /** The same record line twice: sent once. */
  repeated: number;
  /** Selected records by grouped reason. */
  readonly byReason: Map<string, number>;
}

export function emptyCounts(): SelectionCounts {
  return {
    records: 0,
    selected: 0,
    alreadyReplayed: 0,
    outsideWindow: 0,
    stillRejected: 0,
    parseRecords: 0,
    repeated: 0,
    byReason: new Map(),
  };
}

/**
 * Picks the records to re-send from dead-letter entries, in file order. Pure apart from
 * `counts`, which it fills in. `finished(id)` says whether a replay already finished the record
 * for this plugin (the ledger).
 */
export async function* selectForReplay(
  entries: AsyncIterable<DeadLetterEntry>,
  criteria: ReplayCriteria,
  finished: (id: string) => boolean,
  counts: SelectionCounts,
): AsyncGenerator<ReplayStep> {
  const seen = new Set<string>();
  for await (const entry of entries) {
    if (entry.kind !== 'record') continue;
    counts.records++;
    const { record, id } = entry;
    if (record.stage === 'deliver' && record.plugin !== criteria.plugin) continue;
    if (record.stage === 'parse' && criteria.reparse === undefined) {
      counts.parseRecords++;
      continue;
    }
    if (!matches(record.reason, record.time, criteria)) continue;
    if (finished(id)) {
      counts.alreadyReplayed++;
      continue;
    }
    if (seen.has(id)) {
      counts.repeated++;
      continue;
    }
    seen.add(id);
    let event: CanonicalEvent;
    if (record.stage === 'deliver') {
      event = record.event;
    } else {
      const reparse = (criteria.reparse as Reparse).of(record);
      const result = reparse.parser.parseLine(record.line, reparse.options);
      if (result.kind === 'reject') {
        counts.stillRejected++;
        continue;
      }
      if (result.kind === 'skip') {
        yield { kind: 'finish', id };
        continue;
      }
      event = result.event;
      if (reparse.origin !== undefined) stampOrigin(event, reparse.origin);
    }
    const { policy } = criteria;
    if (policy.accepts === 'window' && !inWindow(policy, Date.parse(event.requestTimestamp), criteria.now)) {
      counts.outsideWindow++;
      continue;
    }
    counts.selected++;
    const key = reasonKey(record.reason);
    counts.byReason.set(key, (counts.byReason.get(key) ?? 0) + 1);
    yield { kind: 'send', id, event };
  }
}

function matches(reason: string, time: string, criteria: ReplayCriteria): boolean {
  if (criteria.since !== undefined) {
    const at = Date.parse(time);
    if (Number.isNaN(at) || at < criteria.since) return false;
  }
  if (criteria.reason === undefined) return true;
  return reason.includes(criteria.reason) || reasonKey(reason).includes(criteria.reason);
}
