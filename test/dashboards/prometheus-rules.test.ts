import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { queryableSeries } from './contract.js';
import { promqlReferences } from './promql.js';
import { ensurePrometheus, promtool } from './promtool.js';

const DIR = fileURLToPath(new URL('../../dashboards/prometheus/', import.meta.url));
const RULES = `${DIR}rules.yaml`;
const RULES_TEST = `${DIR}rules.test.yaml`;
const README = fileURLToPath(new URL('../../dashboards/README.md', import.meta.url));

interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface RulesTest {
  readonly rule_files: string[];
  readonly tests: {
    readonly name?: string;
    readonly alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[];
    readonly promql_expr_test?: { expr: string }[];
  }[];
}

const rules = (
  parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);
const records = rules.filter((r) => r.record !== undefined);
const unitTests = parse(readFileSync(RULES_TEST, 'utf8')) as RulesTest;
const alertCases = unitTests.tests.flatMap((t) => t.alert_rule_test ?? []);

/** Labels of the series each recording rule writes: its `by` list, else those of its inputs. */
function recordedLabels(before: readonly Rule[]): Map<string, Set<string>> {
  const series = queryableSeries();
  const out = new Map<string, Set<string>>();
  for (const rule of before) {
    if (rule.record === undefined) continue;
    const refs = promqlReferences(rule.expr);
    const inputs = refs.metrics.flatMap((m) => [...(series.get(m)?.labels ?? out.get(m) ?? [])]);
    out.set(rule.record, new Set(refs.grouping.length > 0 ? refs.grouping : inputs));
  }
  return out;
}

describe('prometheus rules with promtool', () => {
  beforeAll(async () => {
    await ensurePrometheus();
  }, 900_000);

  it('passes promtool check rules', () => {
    const result = promtool(['check', 'rules', RULES]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('passes its promtool unit tests', () => {
    const result = promtool(['test', 'rules', RULES_TEST]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('FAILED');
    expect(result.stdout).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('prometheus rules', () => {
  it('are unit-tested by rules.test.yaml against rules.yaml', () => {
    expect(unitTests.rule_files).toEqual(['rules.yaml']);
  });

  it.each(
    rules.map((r) => [r.record ?? r.alert, r] as const),
  )('uses only contract metrics, their labels and earlier recording rules in %s', (_name, rule) => {
    const series = queryableSeries();
    const recorded = recordedLabels(rules.slice(0, rules.indexOf(rule)));
    const labelsOf = (m: string) => series.get(m)?.labels ?? recorded.get(m);
    const refs = promqlReferences(rule.expr);
    expect(refs.anonymousSelectors).toBe(0);
    expect(refs.metrics.filter((m) => labelsOf(m) === undefined)).toEqual([]);
    for (const s of refs.selectors) {
      expect(
        s.labels.filter((l) => !labelsOf(s.metric)?.has(l)),
        s.metric,
      ).toEqual([]);
    }
    const known = new Set(refs.metrics.flatMap((m) => [...(labelsOf(m) ?? [])]));
    expect(refs.grouping.filter((l) => !known.has(l))).toEqual([]);
  });

  it.each(
    alerts.map((a) => [a.alert, a] as const),
  )('gives alert %s a severity, a summary, a description and a runbook anchor', (name, alert) => {
    expect(['critical', 'warning', 'info']).toContain(alert.labels?.severity);
    expect(alert.annotations?.summary).toEqual(expect.any(String));
    expect(alert.annotations?.description).toEqual(expect.any(String));
    expect(alert.annotations?.runbook_url).toBe(`docs/operations.md#${String(name).toLowerCase()}`);
  });

  it.each(alerts.map((a) => [a.alert as string]))('tests alert %s both firing and not firing', (name) => {
    const cases = alertCases.filter((c) => c.alertname === name);
    expect(
      cases.some((c) => (c.exp_alerts ?? []).length > 0),
      'a case where it fires',
    ).toBe(true);
    expect(
      cases.some((c) => (c.exp_alerts ?? []).length === 0),
      'a case where it does not fire',
    ).toBe(true);
  });

  it.each(records.map((r) => [r.record as string]))('checks recording rule %s with exact samples', (name) => {
    const exprs = unitTests.tests.flatMap((t) => t.promql_expr_test ?? []).map((t) => t.expr);
    expect(exprs.some((e) => promqlReferences(e).metrics.includes(name))).toBe(true);
  });

  it('selects the exporter by the documented job="gax" in the up alerts', () => {
    const up = alerts.filter((a) => promqlReferences(a.expr).metrics.includes('up'));
    expect(up.map((a) => a.alert)).toEqual(['GaxExporterDown', 'GaxExporterAbsent']);
    for (const a of up) expect(a.expr).toContain('up{job="gax"}');
  });

  it('documents every alert in dashboards/README.md', () => {
    const readme = readFileSync(README, 'utf8');
    expect(alerts.filter((a) => !readme.includes(`### ${String(a.alert)}`)).map((a) => a.alert)).toEqual([]);
  });
});
