/**
 * One definition of errors and tokens across Kibana, Datadog and Grafana/Prometheus: the table in
 * docs/metrics.md is read, and every bundled panel, rule and monitor that shows an error rate, an
 * error count or a token total must compute it that way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type Definition,
  datadogWanted,
  hasDatadogQuery,
  hasPromSelector,
  promSelectors,
  readDefinitions,
} from './definitions.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEFINITIONS = readDefinitions(join(ROOT, 'docs', 'metrics.md'));

function definition(quantity: string): Definition {
  const d = DEFINITIONS.get(quantity);
  if (d === undefined) throw new Error(`docs/metrics.md defines no "${quantity}"`);
  return d;
}

const ERRORS = definition('errors');
const PROM_ERRORS = ERRORS.prometheus.map((span) => {
  const [selector] = promSelectors(span);
  if (selector === undefined) throw new Error(`not a selector: ${span}`);
  return selector;
});
const DD_ERRORS = ERRORS.datadog.map(datadogWanted);
const TITLE_ERROR_RATE = /error (ratio|rate)/i;

interface Panel {
  readonly title: string;
  readonly exprs: readonly string[];
}

/** Every panel of the Grafana dashboards on the `apim_*` metrics, rows flattened. */
function grafanaPanels(): Panel[] {
  const dir = join(ROOT, 'dashboards', 'grafana');
  const out: Panel[] = [];
  const walk = (panels: readonly Record<string, unknown>[]): void => {
    for (const p of panels) {
      const targets = (p.targets ?? []) as readonly { expr?: string }[];
      const exprs = targets.map((t) => t.expr ?? '').filter((e) => e.includes('apim_'));
      if (exprs.length > 0) out.push({ title: String(p.title ?? ''), exprs });
      walk((p.panels ?? []) as readonly Record<string, unknown>[]);
    }
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(join(dir, file), 'utf8')).panels ?? []);
  }
  return out;
}

/** Every widget of the bundled Datadog dashboards, groups flattened, with its metric queries. */
function datadogWidgets(): Panel[] {
  const dir = join(ROOT, 'dashboards', 'datadog');
  const out: Panel[] = [];
  const walk = (widgets: readonly { definition: Record<string, unknown> }[]): void => {
    for (const { definition: d } of widgets) {
      const requests = (d.requests ?? []) as readonly { queries?: readonly { query?: string }[] }[];
      const exprs = requests.flatMap((r) => (r.queries ?? []).map((q) => q.query ?? ''));
      if (exprs.length > 0) out.push({ title: String(d.title ?? ''), exprs });
      walk((d.widgets ?? []) as readonly { definition: Record<string, unknown> }[]);
    }
  };
  for (const file of readdirSync(dir).filter((f) => f.startsWith('dashboard-') && f.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(join(dir, file), 'utf8')).widgets);
  }
  return out;
}

/** The bundled Kibana Lens visualisations: title and the whole saved object as text. */
function kibanaLenses(): { title: string; text: string }[] {
  const file = join(ROOT, 'dashboards', 'kibana', 'gax-dashboards.ndjson');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as { type: string; attributes: { title?: string } })
    .filter((o) => o.type === 'lens')
    .map((o) => ({ title: o.attributes.title ?? '', text: JSON.stringify(o) }));
}

describe('docs/metrics.md defines errors and tokens once', () => {
  it('has every quantity, with a Prometheus, a Datadog and a Kibana form of the error count', () => {
    for (const q of [
      'errors',
      'error rate',
      'WSO2 error rate',
      'prompt tokens',
      'completion tokens',
      'total tokens',
    ])
      definition(q);
    expect(PROM_ERRORS.map((s) => s.metric)).toEqual(['apim_requests_total', 'apim_requests_total']);
    expect(DD_ERRORS.map((q) => q.metric)).toEqual(['errors', 'requests']);
    expect(ERRORS.kibana).toHaveLength(1);
  });
});

describe('Grafana and the Prometheus rules count errors as defined', () => {
  const panels = grafanaPanels();

  it('every error-rate panel on apim_requests_total counts faults and 5xx responses', () => {
    const rates = panels.filter(
      (p) => TITLE_ERROR_RATE.test(p.title) && p.exprs.some((e) => e.includes('apim_requests_total')),
    );
    expect(rates.length).toBeGreaterThan(0);
    for (const p of rates) {
      const ok = p.exprs.some((e) => PROM_ERRORS.every((s) => hasPromSelector(e, s)));
      expect(ok, `Grafana panel "${p.title}": ${p.exprs.join(' ; ')}`).toBe(true);
    }
  });

  it('no expression counts faulty events as errors without the 5xx responses', () => {
    const [faulty, fivexx] = PROM_ERRORS as [(typeof PROM_ERRORS)[0], (typeof PROM_ERRORS)[0]];
    for (const p of panels.filter((p) => !/fault/i.test(p.title))) {
      for (const e of p.exprs.filter((e) => hasPromSelector(e, faulty)))
        expect(hasPromSelector(e, fivexx), `Grafana panel "${p.title}": ${e}`).toBe(true);
    }
  });

  it('no panel named for errors counts 4xx responses', () => {
    for (const p of panels.filter((p) => /\berrors?\b/i.test(p.title)))
      for (const e of p.exprs)
        expect(e, `Grafana panel "${p.title}" counts 4xx responses as errors`).not.toMatch(
          /status_code=~"\[?4/,
        );
  });

  it('the error recording rule is the defined sum, and the error alerts use it', () => {
    const rules = parseYaml(readFileSync(join(ROOT, 'dashboards', 'prometheus', 'rules.yaml'), 'utf8')) as {
      groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
    };
    const all = rules.groups.flatMap((g) => g.rules);
    const errors = all.find((r) => r.record === 'apim:request_errors:rate5m');
    expect(errors).toBeDefined();
    for (const s of PROM_ERRORS) expect(hasPromSelector(errors?.expr ?? '', s)).toBe(true);
    const errorAlerts = all.filter(
      (r) => r.alert !== undefined && /error/i.test(r.alert) && r.expr.includes('apim'),
    );
    for (const a of errorAlerts)
      expect(a.expr, `alert ${a.alert}`).toMatch(
        /apim:(errors:ratio5m|request_errors:rate5m)|apim_errors_total/,
      );
  });

  it('token totals add every token_type; a token_type filter only where the panel names it', () => {
    const tokenPanels = panels.filter((p) => p.exprs.some((e) => e.includes('apim_ai_tokens_total')));
    expect(tokenPanels.length).toBeGreaterThan(0);
    for (const p of tokenPanels) {
      for (const e of p.exprs) {
        for (const s of promSelectors(e).filter((s) => s.metric === 'apim_ai_tokens_total')) {
          const typed = [...s.matchers].filter((m) => m.startsWith('token_type'));
          for (const m of typed) {
            const value = /"([^"]*)"/.exec(m)?.[1] ?? '';
            expect(p.title.toLowerCase(), `Grafana panel "${p.title}" filters ${m}`).toContain(
              value.toLowerCase(),
            );
          }
        }
      }
    }
  });
});

describe('Datadog dashboards and monitors count errors as defined', () => {
  const widgets = datadogWidgets();

  it('every error-ratio widget adds faults and 5xx responses', () => {
    const rates = widgets.filter((w) => TITLE_ERROR_RATE.test(w.title));
    expect(rates.length).toBeGreaterThan(0);
    for (const w of rates)
      for (const q of DD_ERRORS)
        expect(hasDatadogQuery(w.exprs, q), `Datadog widget "${w.title}"`).toBe(true);
  });

  it('no widget named for errors counts 4xx responses', () => {
    for (const w of widgets.filter((w) => /\berrors?\b/i.test(w.title)))
      for (const e of w.exprs) expect(e, `Datadog widget "${w.title}"`).not.toMatch(/status_code:4/);
  });

  it('the error-ratio monitor adds faults and 5xx responses', () => {
    const monitors = JSON.parse(
      readFileSync(join(ROOT, 'dashboards', 'datadog', 'monitors.json'), 'utf8'),
    ) as {
      name: string;
      query: string;
    }[];
    const ratio = monitors.filter((m) => TITLE_ERROR_RATE.test(m.name));
    expect(ratio.length).toBeGreaterThan(0);
    for (const m of ratio) {
      const parts = m.query.match(/sum:[a-zA-Z0-9_.]+\{[^}]*\}/g) ?? [];
      for (const q of DD_ERRORS)
        expect(hasDatadogQuery(parts, q), `monitor "${m.name}": ${m.query}`).toBe(true);
    }
  });

  it('token widgets filter a token_type only where the widget names it or also shows the total', () => {
    for (const w of widgets) {
      const tokens = w.exprs.filter((e) => /\.ai\.tokens\{/.test(e));
      const total = tokens.some((e) => !/token_type:/.test(e));
      for (const e of tokens) {
        const type = /token_type:([a-z_]+)/.exec(e)?.[1];
        if (type !== undefined && !total)
          expect(w.title.toLowerCase(), `Datadog widget "${w.title}": ${e}`).toContain(type);
      }
    }
  });
});

describe('Kibana counts errors and tokens as defined', () => {
  const lenses = kibanaLenses();
  const ours = ERRORS.kibana[0] as string;
  const wso2 = definition('WSO2 error rate').kibana;

  it('every error rate and error count uses the defined errors; WSO2 rates use WSO2 terms', () => {
    // The SLO dashboard's error budget is availability (docs/metrics.md), another quantity.
    const errorPanels = lenses.filter((l) => /error (rate|request count)/i.test(l.title));
    expect(errorPanels.length).toBeGreaterThan(2);
    for (const l of errorPanels) {
      if (/wso2/i.test(l.title))
        for (const k of wso2) expect(l.text, l.title).toContain(k.replaceAll("'", "\\'"));
      else expect(l.text, `Kibana "${l.title}"`).toContain(ours.replaceAll('"', '\\"'));
    }
  });

  it('total token panels sum totalTokens', () => {
    const total = definition('total tokens').kibana[0] as string;
    const panels = lenses.filter((l) => /total token/i.test(l.title));
    expect(panels.length).toBeGreaterThan(0);
    for (const l of panels) expect(l.text, l.title).toContain(total);
  });
});
