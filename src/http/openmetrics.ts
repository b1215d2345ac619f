/**
 * OpenMetrics 1.0 text, as src/http/exposition.ts writes it from prom-client's text exposition.
 * prom-client renders OpenMetrics by renaming counter objects in place, which would leak into the
 * next text-format scrape, so the daemon keeps its registry in text format and differs only where
 * OpenMetrics does: a counter family is named without `_total` in its HELP/TYPE lines (its samples
 * keep `_total`), no blank line between families, and the exposition ends with `# EOF`.
 */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The name on a family's HELP and TYPE lines: a counter's without the `_total` of its samples. */
export function openMetricsFamilyName(type: string, name: string): string {
  return type === 'counter' && name.endsWith('_total') ? name.slice(0, -6) : name;
}

export const OPENMETRICS_EOF = '# EOF\n';
