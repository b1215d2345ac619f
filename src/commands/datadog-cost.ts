import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DatadogConfig } from '../../plugins/datadog/config.js';
import { estimateCost } from '../../plugins/datadog/cost.js';
import { parseLine } from '../parsers/wso2-apim/parse.js';
import type { CanonicalEvent } from '../schema/event.js';
import { redactUrlCredentials } from '../telemetry/redact.js';

/** Canonical events of a log file (unparseable lines skipped), for the cost estimate. */
export async function sampleEvents(path: string): Promise<CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const parsed = parseLine(line);
    if (parsed.kind === 'event') events.push(parsed.event);
  }
  return events;
}

/**
 * The `gax check-config` lines about Datadog: where it sends and what it costs in custom metrics.
 * With a sample log the distinct tag sets are counted; without, the per-flush cap is the bound.
 */
export function datadogLines(
  config: DatadogConfig,
  sample?: { path: string; events: CanonicalEvent[] },
): string[] {
  const target = redactUrlCredentials(config.url ?? `https://api.${config.site}`);
  const lines = [
    `  datadog: ${target}, metrics ${config.prefix}*, logs ${config.logs.enabled ? 'on' : 'off'}\n`,
  ];
  const costs = estimateCost(config, sample?.events);
  const width = Math.max(...costs.map((c) => config.prefix.length + c.metric.length)) + 2;
  if (sample === undefined) {
    lines.push(
      `  datadog custom metrics: one per distinct tag set (distributions: 10); at most ${config.maxTagSetsPerFlush + 1} tag sets per metric per flush. Estimate from real traffic: --sample <apim_metrics.log>\n`,
    );
    for (const c of costs)
      lines.push(`    ${`${config.prefix}${c.metric}`.padEnd(width)}${c.tags.join(',')}\n`);
    return lines;
  }
  lines.push(`  datadog custom metrics from ${sample.events.length} events of ${sample.path}:\n`);
  let total = 0;
  for (const c of costs) {
    total += c.customMetrics ?? 0;
    lines.push(
      `    ${`${config.prefix}${c.metric}`.padEnd(width)}${String(c.tagSets).padStart(6)} tag sets → ${String(c.customMetrics).padStart(6)}   (${c.tags.join(',')})\n`,
    );
  }
  lines.push(
    `    ${'total'.padEnd(width)}${''.padStart(6)}          ${String(total).padStart(6)} custom metrics\n`,
  );
  return lines;
}
