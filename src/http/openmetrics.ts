/**
 * Prometheus text format (0.0.4) → OpenMetrics 1.0 text. prom-client renders OpenMetrics by
 * renaming counter objects in place, which would leak into the next text-format scrape, so the
 * daemon converts its text exposition instead: a counter family is named without `_total` in
 * its HELP/TYPE lines (its samples keep `_total`), and the exposition ends with `# EOF`.
 */
export function toOpenMetrics(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) counter$/gm)) counters.add(match[1] as string);
  const lines = text.split('\n');
  let out = '';
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const name = line.slice(7, line.indexOf(' ', 7));
      if (counters.has(name) && name.endsWith('_total')) {
        out += `${line.slice(0, 7)}${name.slice(0, -6)}${line.slice(7 + name.length)}\n`;
        continue;
      }
    }
    out += `${line}\n`;
  }
  return `${out}# EOF\n`;
}

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
