import type { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import { OPENMETRICS_EOF, openMetricsFamilyName } from './openmetrics.js';

/** `prometheus`: text format 0.0.4; `openmetrics`: OpenMetrics 1.0 text. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

type LabelSet = Readonly<Record<string, string | number | undefined>>;

/** One sample as a prom-client metric hands it to its registry. */
interface Sample {
  readonly value: number;
  readonly labels?: LabelSet;
  /** A histogram series' own labels, shared by its bucket, sum and count samples. */
  readonly sharedLabels?: LabelSet;
  readonly metricName?: string;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly Sample[];
}

/** What the registry holds: prom-client's metrics (`getForPromString`: histograms, unsplayed). */
interface Source {
  get(): Promise<Family> | Family;
  getForPromString?(): Promise<Family>;
}

/** Bytes gathered before a write: large enough to be cheap, small enough not to matter. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes the registry's exposition to `out`, one metric family at a time, in ~64 KiB chunks,
 * waiting for `out` to drain after each. The text format is byte for byte what
 * `registry.metrics()` returns; OpenMetrics differs from it as src/http/openmetrics.ts says. Unlike `registry.metrics()`, which renders every family at once
 * and joins them (at 10,000 request series a 30 MB string plus ~10× that in transient pieces),
 * memory stays at one family's samples plus one chunk. Resolves `false` if `out` closed first (the
 * scraper went away); throws what a metric's collect throws, with part of the body written. Does
 * not end `out`.
 */
export async function writeExposition(
  registry: Registry,
  out: Writable,
  format: ExpositionFormat,
): Promise<boolean> {
  let closed = false;
  const onClose = (): void => {
    closed = true;
  };
  out.once('close', onClose);
  try {
    let chunk = '';
    const flush = async (): Promise<boolean> => {
      if (closed) return false;
      const ok = out.write(chunk);
      chunk = '';
      if (!ok) await drained(out);
      return !closed;
    };
    const metrics = registry.getMetricsAsArray() as unknown as Source[];
    let first = true;
    for (const metric of metrics) {
      const family =
        typeof metric.getForPromString === 'function' ? await metric.getForPromString() : await metric.get();
      const name = escapeString(family.name);
      const title = format === 'openmetrics' ? openMetricsFamilyName(family.type, name) : name;
      // Text format: a blank line between families (prom-client joins them with one).
      if (!first && format === 'prometheus') chunk += '\n';
      first = false;
      chunk += `# HELP ${title} ${escapeString(family.help)}\n# TYPE ${title} ${family.type}\n`;
      let shared: LabelSet | undefined;
      let sharedText = '';
      for (const sample of family.values ?? []) {
        if (sample.sharedLabels !== shared) {
          shared = sample.sharedLabels;
          sharedText = shared === undefined ? '' : formatLabels(shared, undefined);
        }
        const own = sample.labels === undefined ? '' : formatLabels(sample.labels, shared);
        const labels = own === '' ? sharedText : sharedText === '' ? own : `${own},${sharedText}`;
        chunk += `${sample.metricName ?? name}${labels === '' ? '' : `{${labels}}`} ${valueText(sample.value)}\n`;
        if (chunk.length >= CHUNK_CHARS && !(await flush())) return false;
      }
      if (chunk.length >= CHUNK_CHARS && !(await flush())) return false;
    }
    if (format === 'openmetrics') chunk += OPENMETRICS_EOF;
    else if (first) chunk += '\n'; // an empty registry: prom-client answers one newline
    return chunk === '' ? !closed : flush();
  } finally {
    out.off('close', onClose);
  }
}

/** `a="x",b="y"` for the labels not in `exclude`, in their own order (as prom-client does). */
function formatLabels(labels: LabelSet, exclude: LabelSet | undefined): string {
  let text = '';
  for (const key in labels) {
    if (!Object.hasOwn(labels, key) || (exclude !== undefined && Object.hasOwn(exclude, key))) continue;
    const value = labels[key];
    const shown = typeof value === 'string' ? escapeLabelValue(value) : `${value}`;
    text += text === '' ? `${key}="${shown}"` : `,${key}="${shown}"`;
  }
  return text;
}

function escapeString(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}

function escapeLabelValue(text: string): string {
  return /[\\\n"]/.test(text) ? escapeString(text).replace(/"/g, '\\"') : text;
}

/** prom-client's spelling of a sample value (`Nan`, `+Inf`, `-Inf`, else JavaScript's). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return `${value}`;
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
