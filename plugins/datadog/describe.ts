import type { DescribeContext, EventSample } from '../../src/plugin/capabilities.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { DatadogConfig } from './config.js';
import { estimateCost, type OptInCost } from './cost.js';

/** `gax check-config`'s line about a Datadog instance: where it sends, which metrics, logs or not. */
export function describeDatadog(section: DatadogConfig, { id }: DescribeContext): string[] {
  const target = redactUrlCredentials(section.url ?? `https://api.${section.site}`);
  return [`  ${id}: ${target}, metrics ${section.prefix}*, logs ${logsOf(section.logs)}`];
}

/**
 * What an instance costs in Datadog custom metrics. With a sample log the distinct tag sets are
 * counted; without, the per-flush cap is the bound.
 */
export function datadogCost(
  section: DatadogConfig,
  { id, sample }: DescribeContext & { readonly sample?: EventSample },
): string[] {
  const costs = estimateCost(section, sample?.events);
  const width = Math.max(...costs.map((c) => section.prefix.length + c.metric.length)) + 2;
  if (sample === undefined) {
    return [
      `  ${id} custom metrics: one per distinct tag set (distributions: 10); at most ${section.maxTagSetsPerFlush + 1} tag sets per metric per flush. Estimate from real traffic: --sample <apim_metrics.log>`,
      ...costs.map((c) => `    ${`${section.prefix}${c.metric}`.padEnd(width)}${c.tags.join(',')}`),
    ];
  }
  const lines = [`  ${id} custom metrics from ${sample.events.length} events of ${sample.path}:`];
  let total = 0;
  for (const c of costs) {
    total += c.customMetrics ?? 0;
    lines.push(
      `    ${`${section.prefix}${c.metric}`.padEnd(width)}${String(c.tagSets).padStart(6)} tag sets → ${String(c.customMetrics).padStart(6)}   (${c.tags.join(',')})`,
    );
    const on = (c.optIn ?? []).filter((o) => o.enabled);
    const off = (c.optIn ?? []).filter((o) => !o.enabled);
    if (on.length > 0) lines.push(`      opt-in tags on (values, custom metrics they add): ${optInList(on)}`);
    if (off.length > 0)
      lines.push(`      opt-in tags off (values, custom metrics they would add): ${optInList(off)}`);
  }
  lines.push(
    `    ${'total'.padEnd(width)}${''.padStart(6)}          ${String(total).padStart(6)} custom metrics`,
  );
  return lines;
}

/** `platform 5 +120, user_agent 9 +300`. */
function optInList(costs: readonly OptInCost[]): string {
  return costs.map((o) => `${o.tag} ${o.values} +${o.customMetrics}`).join(', ');
}

/** `off`, `on`, or `on (WSO2 format, source apim_node)`. */
function logsOf(logs: DatadogConfig['logs']): string {
  if (!logs.enabled) return 'off';
  if (logs.format !== 'wso2') return 'on';
  return `on (WSO2 format, source ${logs.source === '' ? 'apim_node' : logs.source})`;
}
