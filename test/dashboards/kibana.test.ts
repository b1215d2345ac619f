import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queryableFields } from '../../plugins/elasticsearch/fields.js';
import { KIBANA_NDJSON_PATH, renderKibanaFiles } from '../../scripts/gen-kibana.js';
import { buildKibanaObjects, toNdjson } from '../../scripts/kibana/index.js';
import { kqlFields, validateKibanaNdjson } from './kibana-validator/index.js';

type Json = Record<string, unknown>;
interface SavedObjectLine {
  id: string;
  type: string;
  attributes: Json;
  references: { name: string; type: string; id: string }[];
  [key: string]: unknown;
}

const REGENERATE = 'run npx tsx scripts/gen-kibana.ts';
const text = readFileSync(KIBANA_NDJSON_PATH, 'utf8');
const fields = queryableFields();
const objects = text
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as SavedObjectLine);
const dashboards = objects.filter((o) => o.type === 'dashboard');

/** WSO2's data view ids (Kibana artefacts v1–v3). */
const WSO2_DATA_VIEWS = {
  'apim_event*': '0d83f380-6eda-11ec-9dad-f7e4782fdbce',
  'apim_event_response*': '12b6ceb0-620d-11ec-ae22-0df825122121',
  'apim_event_faulty*': '1fb73500-620d-11ec-ae22-0df825122121',
};
const REQUIRED_DASHBOARDS = [
  '[gax] Overview',
  '[gax] Ingress Overview',
  '[gax] Ingress Traffic',
  '[gax] Ingress API Analytics',
  '[gax] Ingress User Analytics',
  '[gax] Ingress Errors',
  '[gax] Ingress Latency',
  '[gax] Ingress Cache',
  '[gax] Ingress Devices',
  '[gax] Egress (AI) Overview',
  '[gax] Egress (AI) Traffic',
  '[gax] Egress (AI) Errors',
  '[gax] Egress (AI) Latency',
  '[gax] SLO and Error Budget',
  '[gax] Applications',
  '[gax] Consumers',
];

function panelsOf(dashboard: SavedObjectLine): Json[] {
  return JSON.parse(String(dashboard.attributes.panelsJSON)) as Json[];
}

function find(type: string, id: string): SavedObjectLine {
  const found = objects.find((o) => o.type === type && o.id === id);
  if (found === undefined) throw new Error(`${type}/${id} not in the bundle`);
  return found;
}

describe('the bundled Kibana saved objects', () => {
  it('pass every Kibana import rule and use only mapped, aggregatable fields', () => {
    expect(validateKibanaNdjson(text, fields)).toEqual([]);
  });

  it('are exactly what scripts/gen-kibana.ts generates now', () => {
    const expected = toNdjson(buildKibanaObjects());
    if (text !== expected) console.error(`dashboards/kibana/gax-dashboards.ndjson is stale: ${REGENERATE}`);
    expect(text, REGENERATE).toBe(expected);
  });

  it('come with a README generated from the same objects', () => {
    for (const file of renderKibanaFiles()) {
      const current = readFileSync(file.path, 'utf8');
      if (current !== file.text) console.error(`${file.path} is stale: ${REGENERATE}`);
      expect(current, REGENERATE).toBe(file.text);
    }
  });

  it.each(REQUIRED_DASHBOARDS)('include the dashboard "%s"', (title) => {
    expect(dashboards.map((d) => d.attributes.title)).toContain(title);
  });

  it('give every dashboard a gax- id, so they never replace WSO2 dashboards', () => {
    for (const d of dashboards) expect(d.id).toMatch(/^gax-[a-z0-9-]+$/);
  });

  it("reuse WSO2's data view ids and titles with requestTimestamp as time field", () => {
    const views = objects.filter((o) => o.type === 'index-pattern');
    expect(Object.fromEntries(views.map((v) => [v.attributes.title, v.id]))).toEqual(WSO2_DATA_VIEWS);
    for (const v of views)
      expect(v.attributes).toEqual({
        title: v.attributes.title,
        timeFieldName: 'requestTimestamp',
        fields: '[]',
      });
  });

  it('carry no timestamps, version tokens or managed flags', () => {
    for (const o of objects)
      expect(Object.keys(o).sort()).toEqual([
        'attributes',
        'coreMigrationVersion',
        'id',
        'references',
        'type',
        'typeMigrationVersion',
      ]);
  });

  it('do not restore a time range when a dashboard opens', () => {
    for (const d of dashboards) expect(d.attributes.timeRestore).toBe(false);
  });

  it('link every other dashboard from the navigation bar at the top of each dashboard', () => {
    for (const d of dashboards) {
      const nav = panelsOf(d).find((p) => (p.gridData as Json).y === 0 && p.type === 'visualization');
      expect(nav, d.id).toBeDefined();
      const ref = d.references.find(
        (r) => r.name === `${String(nav?.panelIndex)}:${String(nav?.panelRefName)}`,
      );
      const visState = JSON.parse(String(find('visualization', String(ref?.id)).attributes.visState)) as Json;
      const markdown = String((visState.params as Json).markdown);
      const linked = [...markdown.matchAll(/\(#\/view\/([^)]+)\)/g)].map((m) => m[1]).sort();
      expect(linked, d.id).toEqual(
        dashboards
          .map((o) => o.id)
          .filter((id) => id !== d.id)
          .sort(),
      );
    }
  });

  it('filter every Egress (AI) visualisation to properties.isEgress : true', () => {
    const egress = dashboards.filter((d) => String(d.attributes.title).includes('Egress'));
    const lensIds = egress.flatMap((d) => d.references.filter((r) => r.type === 'lens').map((r) => r.id));
    const unfiltered = lensIds
      .map((id) => find('lens', id))
      .filter((l) => !JSON.stringify(l.attributes.state).includes('properties.isEgress : true'))
      .map((l) => l.id);
    // Token sums and the token heatmap only have values on AI responses, so they need no filter.
    expect(unfiltered.sort()).toEqual([
      'gax-lens-ai-token-heatmap',
      'gax-lens-completion-tokens',
      'gax-lens-prompt-tokens',
      'gax-lens-total-tokens',
    ]);
  });
});

/** The definitions error-rate panels state (ours, and WSO2's "Average Error Rate"). */
const ERROR_RATE_DEFINITIONS = [
  'errors (eventType : "faulty" or proxyResponseCode >= 500) / all events',
  '4xx / (2xx + 4xx)',
];
const WSO2_ERROR_RATE_FORMULA =
  "count(kql='proxyResponseCode >= 400 and proxyResponseCode < 500') / count(kql='(proxyResponseCode >= 200 and proxyResponseCode < 300) or (proxyResponseCode >= 400 and proxyResponseCode < 500)')";

describe('the per-request audit view and the error-rate definitions', () => {
  it('include a saved search of every event, newest first, with the audit columns', () => {
    const search = find('search', 'gax-search-requests');
    expect(search.attributes.title).toBe('[gax] Requests (per-request audit)');
    expect(search.attributes.columns).toEqual([
      'apiName',
      'apiVersion',
      'apiResourceTemplate',
      'apiMethod',
      'applicationName',
      'userName',
      'userIp',
      'proxyResponseCode',
      'targetResponseCode',
      'responseLatency',
      'errorType',
      'errorCode',
      'correlationId',
    ]);
    expect(search.attributes.sort).toEqual([['requestTimestamp', 'desc']]);
    expect(search.references).toEqual([
      {
        name: 'kibanaSavedObjectMeta.searchSourceJSON.index',
        type: 'index-pattern',
        id: WSO2_DATA_VIEWS['apim_event*'],
      },
    ]);
    const home = find('dashboard', 'gax-overview');
    expect(home.references.filter((r) => r.type === 'search').map((r) => r.id)).toEqual([search.id]);
  });

  it('state its definition on every error-rate panel (title or description)', () => {
    const labels = (o: SavedObjectLine) =>
      lensColumns(o)
        .map((c) => String(c.label))
        .filter((l) => !l.startsWith('Part of'));
    const rates = objects.filter(
      (o) =>
        o.type === 'lens' &&
        [String(o.attributes.title), String(o.attributes.description), ...labels(o)].some((t) =>
          /error rate/i.test(t),
        ),
    );
    expect(rates.map((o) => o.id).sort()).toEqual([
      'gax-lens-applications-table',
      'gax-lens-error-rate',
      'gax-lens-error-rate-wso2',
    ]);
    for (const o of rates) {
      const said = `${String(o.attributes.title)} ${String(o.attributes.description)}`;
      expect(
        ERROR_RATE_DEFINITIONS.some((d) => said.includes(d)),
        o.id,
      ).toBe(true);
    }
  });

  it("show WSO2's error rate, 4xx / (2xx + 4xx) of responses, next to every error-rate panel", () => {
    const wso2 = find('lens', 'gax-lens-error-rate-wso2');
    const formulas = lensColumns(wso2).filter((c) => c.operationType === 'formula');
    expect(formulas.map((c) => (c.params as Json).formula)).toEqual([WSO2_ERROR_RATE_FORMULA]);
    expect(wso2.references.map((r) => r.id)).toEqual([WSO2_DATA_VIEWS['apim_event_response*']]);
    const withRate = dashboards.filter((d) => d.references.some((r) => r.id === 'gax-lens-error-rate'));
    expect(withRate.map((d) => d.id).sort()).toEqual(['gax-ingress-overview', 'gax-overview']);
    for (const d of withRate) {
      const grid = (i: string) => panelsOf(d).find((p) => p.panelIndex === i)?.gridData as Json | undefined;
      const ours = grid('error-rate');
      const theirs = grid('error-rate-wso2');
      expect(theirs, d.id).toBeDefined();
      expect(theirs?.y, d.id).toBe(ours?.y);
      expect(theirs?.x, d.id).toBe(Number(ours?.x) + Number(ours?.w));
    }
  });
});

describe('kqlFields', () => {
  it('finds the fields left of comparison operators and ignores quoted values', () => {
    expect(kqlFields('errorType.keyword : "AUTH: x > y" and proxyResponseCode >= 400 or not a<1')).toEqual([
      'errorType.keyword',
      'proxyResponseCode',
      'a',
    ]);
  });
});

/** A copy of the bundle where `change` has edited the first object `pick` selects. */
function mutated(pick: (o: SavedObjectLine) => boolean, change: (o: SavedObjectLine) => void): string {
  const lines = text.split('\n');
  const at = objects.findIndex(pick);
  if (at < 0) throw new Error('no object to mutate');
  const copy = structuredClone(objects[at]) as SavedObjectLine;
  change(copy);
  lines[at] = JSON.stringify(copy);
  return lines.join('\n');
}

function editPanels(d: SavedObjectLine, edit: (panels: Json[]) => void): void {
  const panels = panelsOf(d);
  edit(panels);
  d.attributes.panelsJSON = JSON.stringify(panels);
}

function lensColumns(o: SavedObjectLine): Json[] {
  const layers = (((o.attributes.state as Json).datasourceStates as Json).formBased as Json).layers as Json;
  return Object.values(layers).flatMap((l) => Object.values((l as Json).columns as Json) as Json[]);
}

const isHome = (o: SavedObjectLine) => o.type === 'dashboard' && o.id === 'gax-overview';
const isLens = (id: string) => (o: SavedObjectLine) => o.type === 'lens' && o.id === id;

describe('the Kibana validator', () => {
  it.each([
    {
      what: 'an object id is used twice',
      text: () => `${text}${JSON.stringify(find('lens', 'gax-lens-total-traffic'))}\n`,
      problem: `lens/gax-lens-total-traffic: duplicate id (also on line ${objects.findIndex(isLens('gax-lens-total-traffic')) + 1})`,
    },
    {
      what: 'a reference points to an object missing from the file',
      text: () =>
        mutated(isLens('gax-lens-total-traffic'), (o) => {
          o.references = o.references.map((r) => ({ ...r, id: 'no-such-view' }));
        }),
      problem:
        'lens/gax-lens-total-traffic: reference "indexpattern-datasource-layer-layer0" → index-pattern/no-such-view is not in the file',
    },
    {
      what: 'a dashboard has an attribute outside the dashboard schema',
      text: () =>
        mutated(isHome, (o) => {
          o.attributes.layout = 'grid';
        }),
      problem: 'dashboard/gax-overview: unknown attribute "layout"',
    },
    {
      what: 'a panelRefName has no matching reference',
      text: () =>
        mutated(isHome, (o) => {
          o.references = o.references.filter((r) => r.name !== 'error-rate:panel_error-rate');
        }),
      problem: 'dashboard/gax-overview: panel error-rate: Could not find reference "panel_error-rate"',
    },
    {
      what: "a lens layer reference does not name the datasource's layer",
      text: () =>
        mutated(isLens('gax-lens-total-traffic'), (o) => {
          o.references = o.references.map((r) => ({ ...r, name: 'indexpattern-datasource-layer-other' }));
        }),
      problem:
        'lens/gax-lens-total-traffic: layer "layer0" has no reference "indexpattern-datasource-layer-layer0"',
    },
    {
      what: 'a text field is aggregated (apiName instead of apiName.keyword)',
      text: () =>
        mutated(isLens('gax-lens-slowest-apis'), (o) => {
          for (const c of lensColumns(o)) if (c.sourceField === 'apiName.keyword') c.sourceField = 'apiName';
        }),
      problem:
        'lens/gax-lens-slowest-apis: layer "layer0" column layer0b0 (terms) aggregates "apiName", which is not aggregatable (text)',
    },
    {
      what: 'a KQL filter uses a field the index does not have',
      text: () =>
        mutated(isLens('gax-lens-error-count'), (o) => {
          for (const c of lensColumns(o)) c.filter = { query: 'httpStatus >= 400', language: 'kuery' };
        }),
      problem:
        'lens/gax-lens-error-count: layer "layer0" column layer0m0: KQL "httpStatus >= 400" uses unknown field "httpStatus"',
    },
    {
      what: 'typeMigrationVersion is newer than Kibana 8.9 knows',
      text: () =>
        mutated(isHome, (o) => {
          o.typeMigrationVersion = '10.3.0';
        }),
      problem:
        'dashboard/gax-overview: typeMigrationVersion 10.3.0 is newer than 8.9.0, the newest dashboard version Kibana 8.9 knows',
    },
    {
      what: 'panelsJSON is not valid JSON',
      text: () =>
        mutated(isHome, (o) => {
          o.attributes.panelsJSON = String(o.attributes.panelsJSON).slice(0, -1);
        }),
      problem: 'dashboard/gax-overview: attributes.panelsJSON is not valid JSON',
    },
    {
      what: 'a panel reaches past the 48th grid column',
      text: () =>
        mutated(isHome, (o) =>
          editPanels(o, (panels) => {
            const p = panels.find((x) => x.panelIndex === 'p95-latency') as Json;
            (p.gridData as Json).w = 14;
          }),
        ),
      problem: 'dashboard/gax-overview: panel p95-latency: gridData x + w = 50 exceeds 48 columns',
    },
    {
      what: 'a line is not JSON',
      text: () => `${text}{"id":\n`,
      problem: `line ${objects.length + 1}: not valid JSON`,
    },
    {
      what: 'a navigation link points to a dashboard missing from the file',
      text: () =>
        text
          .split('\n')
          .filter((line) => !line.includes('"id":"gax-consumers","references"'))
          .join('\n'),
      problem:
        'visualization/gax-nav-overview: markdown links to dashboard gax-consumers, which is not in the file',
    },
    {
      what: 'a searchSourceJSON indexRefName has no reference',
      text: () =>
        mutated(
          (o) => o.id === 'gax-nav-overview',
          (o) => {
            const source = { indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index', filter: [] };
            o.attributes.kibanaSavedObjectMeta = { searchSourceJSON: JSON.stringify(source) };
          },
        ),
      problem:
        'visualization/gax-nav-overview: searchSourceJSON indexRefName "kibanaSavedObjectMeta.searchSourceJSON.index" has no reference',
    },
    {
      what: 'a lens column that reads a field has no sourceField',
      text: () =>
        mutated(isLens('gax-lens-p95-latency'), (o) => {
          for (const c of lensColumns(o)) delete c.sourceField;
        }),
      problem: 'lens/gax-lens-p95-latency: layer "layer0" column layer0m0 (percentile) needs a sourceField',
    },
    {
      what: 'coreMigrationVersion is not 8.8.0',
      text: () =>
        mutated(isLens('gax-lens-total-traffic'), (o) => {
          o.coreMigrationVersion = '8.7.0';
        }),
      problem: 'lens/gax-lens-total-traffic: coreMigrationVersion must be "8.8.0"',
    },
    {
      what: 'a lens visualization names a column its layer lacks',
      text: () =>
        mutated(isLens('gax-lens-total-traffic'), (o) => {
          ((o.attributes.state as Json).visualization as Json).metricAccessor = 'gone';
        }),
      problem:
        'lens/gax-lens-total-traffic: visualization metricAccessor "gone" is not a column of layer "layer0"',
    },
    {
      what: 'a saved search shows a column the index does not have',
      text: () =>
        mutated(
          (o) => o.type === 'search',
          (o) => {
            o.attributes.columns = ['apiName', 'httpStatus'];
          },
        ),
      problem: 'search/gax-search-requests: column "httpStatus" is not a mapped field',
    },
    {
      what: "a saved search's data view reference is not an index-pattern",
      text: () =>
        mutated(
          (o) => o.type === 'search',
          (o) => {
            o.references = o.references.map((r) => ({ ...r, type: 'dashboard', id: 'gax-overview' }));
          },
        ),
      problem:
        'search/gax-search-requests: reference "kibanaSavedObjectMeta.searchSourceJSON.index" must be an index-pattern, not dashboard',
    },
    {
      what: 'a saved search sorts on an unmapped field',
      text: () =>
        mutated(
          (o) => o.type === 'search',
          (o) => {
            o.attributes.sort = [['timestamp', 'desc']];
          },
        ),
      problem: 'search/gax-search-requests: sort field "timestamp" is not a mapped field',
    },
  ])('reports the problem when $what', ({ text: make, problem }) => {
    expect(validateKibanaNdjson(make(), fields)).toContain(problem);
  });

  it('tolerates the summary line Kibana appends to an export', () => {
    const summary = {
      excludedObjects: [],
      excludedObjectsCount: 0,
      exportedCount: objects.length,
      missingRefCount: 0,
      missingReferences: [],
    };
    expect(validateKibanaNdjson(`${text}${JSON.stringify(summary)}\n`, fields)).toEqual([]);
  });

  it('rejects any other line without an id and a type', () => {
    expect(validateKibanaNdjson(`${text}{"exportedCount":1}\n`, fields)).toEqual([
      `line ${objects.length + 1}: "id" and "type" are required`,
    ]);
  });
});
