/**
 * The bundled OpenSearch Dashboards objects (dashboards/opensearch/): the committed files are the
 * generator's output; every object passes the offline import rules (opensearch-validator.ts) and
 * uses only fields of gax's index mapping; each rule fails a bundle broken for it; WSO2's panels
 * all have an equivalent; errors and tokens are counted as docs/metrics.md defines them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOpenSearchFiles } from '../../scripts/gen-opensearch-dashboards.js';
import { DASHBOARDS } from '../../scripts/opensearch-dashboards/dashboards.js';
import { dashboardId } from '../../scripts/opensearch-dashboards/layout.js';
import { WSO2_DASHBOARDS } from '../../scripts/opensearch-dashboards/parity.js';
import { DEFS, FIELDS, objects, TEXT } from './opensearch-bundle.js';
import { definitionProblems } from './opensearch-definitions.js';
import { validateOsdNdjson } from './opensearch-validator.js';

describe('dashboards/opensearch', () => {
  it('is the generator output (run npx tsx scripts/gen-opensearch-dashboards.ts)', () => {
    for (const { path, text } of renderOpenSearchFiles()) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });

  it('passes every offline import rule and uses only mapped, aggregatable fields', () => {
    expect(validateOsdNdjson(TEXT, FIELDS)).toEqual([]);
  });

  it('has the three index patterns on requestTimestamp and a dashboard per WSO2 dashboard', () => {
    const patterns = objects().filter((o) => o.type === 'index-pattern');
    expect(patterns.map((p) => p.attributes.title).sort()).toEqual([
      'apim_event*',
      'apim_event_faulty*',
      'apim_event_response*',
    ]);
    for (const p of patterns) expect(p.attributes.timeFieldName).toBe('requestTimestamp');
    const fields = JSON.parse(String(patterns[0]?.attributes.fields)) as {
      name: string;
      aggregatable: boolean;
    }[];
    expect(fields.find((f) => f.name === 'apiName.keyword')?.aggregatable).toBe(true);
    expect(fields.find((f) => f.name === 'apiName')?.aggregatable).toBe(false);
    const ids = new Set(
      objects()
        .filter((o) => o.type === 'dashboard')
        .map((o) => o.id),
    );
    for (const w of WSO2_DASHBOARDS) expect(ids.has(`gax-osd-${w.ours}`), w.title).toBe(true);
    expect(objects().some((o) => String(o.attributes.visState ?? '').includes('"type":"lens"'))).toBe(false);
  });

  it('has an equivalent on the matching dashboard for every WSO2 panel', () => {
    const panels = WSO2_DASHBOARDS.flatMap((w) => w.panels);
    expect(panels).toHaveLength(51);
    const byId = new Map(objects().map((o) => [o.id, o]));
    for (const w of WSO2_DASHBOARDS) {
      const spec = DASHBOARDS.find((x) => x.slug === w.ours);
      const dashboard = byId.get(spec === undefined ? '' : dashboardId(spec));
      const shown = new Set(dashboard?.references.map((r) => r.id));
      for (const p of w.panels) expect(shown.has(p.ours?.id ?? ''), `${w.title} / ${p.title}`).toBe(true);
    }
  });

  it('counts errors and tokens as docs/metrics.md defines them', () => {
    expect(DEFS.errors).toBe('eventType : "faulty" or proxyResponseCode >= 500');
    expect(definitionProblems(TEXT, DEFS)).toEqual([]);
    expect(TEXT).toContain('Error Rate (WSO2)');
  });
});
