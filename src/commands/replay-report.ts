import { formatBytes } from './progress.js';
import type { ReadCounts } from './replay-files.js';

export interface PluginOutcome {
  readonly id: string;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly aborted: number;
  readonly duplicates?: number;
}

export interface ReplaySummary {
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly counts: ReadCounts;
  readonly outcomes: readonly PluginOutcome[];
  readonly deadLetterPath: string;
  readonly interrupted: boolean;
}

const n = (value: number): string => new Intl.NumberFormat('en-US').format(value);

/**
 * The end of `gax replay`, stable for scripts: a headline, then `key: value` lines per plugin.
 *
 * ```text
 * replayed 1 file (1.1 MiB) in 2.4 s: 4,000 lines, 3,990 events (1,663 events/s), 2 rejected lines, 8 skipped lines
 * elasticsearch: delivered 3,990 (duplicates 3,990), dead-lettered 0
 * ```
 */
export function renderReplaySummary(s: ReplaySummary): string {
  const { counts } = s;
  const rate = s.seconds > 0 ? Math.round(counts.events / s.seconds) : counts.events;
  const out = [
    `${s.interrupted ? 'interrupted after replaying' : 'replayed'} ${s.files} file${s.files === 1 ? '' : 's'} (${formatBytes(s.bytes)}) in ${s.seconds.toFixed(1)} s: ${n(counts.lines)} lines, ${n(counts.events)} events (${n(rate)} events/s), ${n(counts.rejected)} rejected lines, ${n(counts.skipped)} skipped lines`,
  ];
  for (const o of s.outcomes) {
    const duplicates = o.duplicates === undefined ? '' : ` (duplicates ${n(o.duplicates)})`;
    const aborted = o.aborted > 0 ? `, not finished ${n(o.aborted)}` : '';
    out.push(
      `${o.id}: delivered ${n(o.delivered)}${duplicates}, dead-lettered ${n(o.deadLettered)}${aborted}`,
    );
  }
  if (counts.rejected > 0) {
    const reasons = [...counts.rejectedByReason].map(([r, c]) => `${r} ${n(c)}`).join(', ');
    out.push(`rejected lines by reason: ${reasons} (they stay in the log files; gax parse shows each)`);
  }
  if (s.outcomes.some((o) => o.deadLettered > 0)) {
    out.push(`dead letters: ${s.deadLetterPath} (gax dlq inspect; gax dlq replay after a fix)`);
  }
  return `${out.join('\n')}\n`;
}
