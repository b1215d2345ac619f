import type { DeadLetterSummary } from './summary.js';

const number = new Intl.NumberFormat('en-US');

/** The human table of `gax dlq inspect`. */
export function renderSummary(summary: DeadLetterSummary): string {
  const out: string[] = [];
  const rotated = summary.files.filter((f) => f.path !== summary.path).length;
  const where =
    rotated === 0 ? summary.path : `${summary.path} and ${rotated} rotated file${plural(rotated)}`;
  out.push(
    `Dead letters in ${where}: ${number.format(summary.records)} record${plural(summary.records)}, ${number.format(summary.pending)} pending (not replayed).`,
  );
  if (summary.first !== null) out.push(`Written ${summary.first} … ${summary.last ?? ''}.`);
  if (summary.garbage > 0 || summary.torn > 0) {
    out.push(
      `Unreadable: ${number.format(summary.garbage)} line${plural(summary.garbage)} that ${summary.garbage === 1 ? 'is' : 'are'} not a record, ${summary.torn} torn last line${plural(summary.torn)} (a write cut short); skipped.`,
    );
    for (const g of summary.garbageExamples) out.push(`  ${g.file}:${g.line}: ${g.text.slice(0, 100)}`);
  }
  out.push('', 'Files (oldest first):');
  for (const f of summary.files) {
    out.push(
      `  ${f.path}  ${number.format(f.bytes)} bytes  ${number.format(f.records)} record${plural(f.records)}`,
    );
  }
  if (summary.groups.length === 0) {
    out.push('', 'No dead letters.');
    return `${out.join('\n')}\n`;
  }
  const header = ['STAGE', 'PLUGIN', 'KIND', 'PENDING', 'TOTAL', 'FIRST', 'LAST', 'REASON'];
  const rows = summary.groups.map((g) => [
    g.stage,
    g.plugin ?? '-',
    g.kind ?? '-',
    number.format(g.pending),
    number.format(g.count),
    g.first,
    g.last,
    g.parsesNow === undefined ? g.reason : `${g.reason} (${number.format(g.parsesNow)} parse now)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const numeric = new Set([3, 4]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === cells.length - 1
          ? cell
          : numeric.has(i)
            ? cell.padStart(widths[i] as number)
            : cell.padEnd(widths[i] as number),
      )
      .join('  ');
  out.push('', line(header));
  summary.groups.forEach((g, i) => {
    out.push(line(rows[i] as string[]));
    const indent = ' '.repeat((widths[0] as number) + 2);
    out.push(`${indent}e.g. ${g.example.detail.slice(0, 160)}`);
    if (g.example.reason !== g.reason) out.push(`${indent}     ${g.example.reason.slice(0, 300)}`);
  });
  const plugins = [...new Set(summary.groups.filter((g) => g.pending > 0).map((g) => g.plugin))].filter(
    (p): p is string => p !== null,
  );
  if (plugins.length > 0) {
    out.push(
      '',
      `Once the cause is fixed: gax dlq replay --config FILE --plugin ${plugins.join('|')} [--reason TEXT] [--dry-run]`,
    );
  }
  return `${out.join('\n')}\n`;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
