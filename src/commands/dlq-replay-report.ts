import type { SelectionCounts } from '../dead-letter/select.js';

export interface DlqReplayReport {
  readonly plugin: string;
  readonly path: string;
  readonly counts: SelectionCounts;
  readonly dryRun: boolean;
  readonly result?: {
    readonly delivered: number;
    readonly deadLettered: number;
    readonly aborted: number;
    readonly duplicates?: number;
  };
}

const n = (value: number): string => new Intl.NumberFormat('en-US').format(value);

/** The summary `gax dlq replay` prints: what was selected, and what became of it. */
export function renderDlqReplay(report: DlqReplayReport): string {
  const { counts, plugin, result } = report;
  const out: string[] = [];
  const verb = report.dryRun ? 'Would replay' : 'Replayed';
  out.push(
    `${verb} ${n(counts.selected)} dead-lettered event${counts.selected === 1 ? '' : 's'} to ${plugin} (from ${report.path}).`,
  );
  for (const [reason, count] of [...counts.byReason].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    out.push(`  ${n(count).padStart(8)}  ${reason}`);
  }
  if (result !== undefined) {
    const duplicates =
      result.duplicates === undefined ? '' : ` (${n(result.duplicates)} already there: duplicates)`;
    out.push(`delivered: ${n(result.delivered)}${duplicates}`);
    out.push(
      `dead-lettered again: ${n(result.deadLettered)}${result.deadLettered > 0 ? ' (new records; see gax dlq inspect)' : ''}`,
    );
    if (result.aborted > 0) out.push(`not finished (interrupted): ${n(result.aborted)}; a rerun sends them`);
  }
  if (counts.alreadyReplayed > 0)
    out.push(`already replayed earlier: ${n(counts.alreadyReplayed)} (skipped)`);
  if (counts.repeated > 0) out.push(`identical records: ${n(counts.repeated)} (sent once)`);
  if (counts.outsideWindow > 0)
    out.push(`left pending, outside the time window ${plugin} accepts: ${n(counts.outsideWindow)}`);
  if (counts.stillRejected > 0)
    out.push(`rejected lines the current parser still rejects: ${n(counts.stillRejected)} (left pending)`);
  if (counts.parseRecords > 0)
    out.push(
      `rejected lines (stage parse) not considered: ${n(counts.parseRecords)} (add --reparse after a parser fix)`,
    );
  return `${out.join('\n')}\n`;
}
