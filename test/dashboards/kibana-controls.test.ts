import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queryableFields } from '../../plugins/elasticsearch/fields.js';
import { KIBANA_NDJSON_PATH } from '../../scripts/gen-kibana.js';
import { validateKibanaNdjson } from './kibana-validator/index.js';

/**
 * The bundle's filter controls (Kibana 8 control group) and its error and token definitions, read
 * from the generated file as Kibana would import it; and the validator's checks of controls.
 */

type Json = Record<string, unknown>;
interface SavedObjectLine {
  id: string;
  type: string;
  attributes: Json;
  references: { name: string; type: string; id: string }[];
}
interface Control {
  order: number;
  type: string;
  explicitInput: Json;
}

const text = readFileSync(KIBANA_NDJSON_PATH, 'utf8');
const fields = queryableFields();
const objects = text
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as SavedObjectLine);
const dashboards = objects.filter((o) => o.type === 'dashboard');

const ALL = '0d83f380-6eda-11ec-9dad-f7e4782fdbce';
const RESPONSES = '12b6ceb0-620d-11ec-ae22-0df825122121';
const TENANT = 'apiCreatorTenantDomain.keyword';
const API = 'apiName.keyword';
const APP = 'applicationName.keyword';
const VERSION = 'apiVersion.keyword';
const USER = 'userName.keyword';
const VENDOR = 'properties.aiMetadata.vendorName.keyword';
const MODEL = 'properties.aiMetadata.model.keyword';

/** Dashboard id → [data view id, control fields in chain order]. WSO2's chains first. */
const EXPECTED: Record<string, [string, string[]]> = {
  'gax-ingress-traffic': [RESPONSES, [TENANT, API, APP]],
  'gax-ingress-api-analytics': [RESPONSES, [API, VERSION]],
  'gax-ingress-user-analytics': [ALL, [USER, API, APP]],
  'gax-ingress-latency': [RESPONSES, [TENANT, API]],
  'gax-egress-overview': [RESPONSES, [VENDOR, MODEL]],
  'gax-egress-traffic': [RESPONSES, [VENDOR, MODEL]],
  'gax-overview': [ALL, [TENANT, API]],
  'gax-ingress-overview': [ALL, [TENANT, API]],
  'gax-ingress-errors': [ALL, [TENANT, API]],
  'gax-ingress-cache': [RESPONSES, [TENANT, API]],
  'gax-ingress-devices': [ALL, [TENANT, API]],
  'gax-egress-errors': [ALL, [VENDOR, MODEL]],
  'gax-egress-latency': [RESPONSES, [VENDOR, MODEL]],
  'gax-slo': [ALL, [API]],
  'gax-applications': [ALL, [API, APP]],
  'gax-consumers': [ALL, [USER]],
};

function controlsOf(d: SavedObjectLine): [string, Control][] {
  const group = d.attributes.controlGroupInput as Json;
  const panels = JSON.parse(String(group.panelsJSON)) as Record<string, Control>;
  return Object.entries(panels).sort(([, a], [, b]) => a.order - b.order);
}

const find = (id: string): SavedObjectLine => {
  const found = dashboards.find((d) => d.id === id);
  if (found === undefined) throw new Error(`dashboard ${id} not in the bundle`);
  return found;
};

/** A copy of the bundle with `change` applied to dashboard `id`'s control group. */
function mutated(id: string, change: (panels: Record<string, Control>, d: SavedObjectLine) => void): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      const o = JSON.parse(line) as SavedObjectLine;
      if (o.type !== 'dashboard' || o.id !== id) return line;
      const group = o.attributes.controlGroupInput as Json;
      const panels = JSON.parse(String(group.panelsJSON)) as Record<string, Control>;
      change(panels, o);
      group.panelsJSON = JSON.stringify(panels);
      return JSON.stringify(o);
    })
    .join('\n');
}

describe('the filter controls of the bundled Kibana dashboards', () => {
  it('cover every dashboard', () => {
    expect(dashboards.map((d) => d.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: options lists chained in the expected order', (id, [
    view,
    chain,
  ]) => {
    const d = find(id);
    const group = d.attributes.controlGroupInput as Json;
    expect(group.chainingSystem).toBe('HIERARCHICAL');
    expect(JSON.parse(String(group.ignoreParentSettingsJSON))).toEqual({
      ignoreFilters: false,
      ignoreQuery: false,
      ignoreTimerange: false,
      ignoreValidations: false,
    });
    const controls = controlsOf(d);
    expect(controls.map(([, c]) => c.explicitInput.fieldName)).toEqual(chain);
    expect(controls.map(([, c]) => c.order)).toEqual(chain.map((_, i) => i));
    for (const [key, c] of controls) {
      expect(c.type).toBe('optionsListControl');
      expect(c.explicitInput.id).toBe(key);
      expect(c.explicitInput.dataViewId, 'extracted into a reference, as Kibana saves it').toBeUndefined();
      const refs = d.references.filter((r) => r.name === `controlGroup_${key}:optionsListDataView`);
      expect(refs).toEqual([
        { name: `controlGroup_${key}:optionsListDataView`, type: 'index-pattern', id: view },
      ]);
    }
  });

  it('use aggregatable keyword fields of the index mapping', () => {
    for (const d of dashboards)
      for (const [, c] of controlsOf(d))
        expect(fields.get(String(c.explicitInput.fieldName))).toBe('keyword');
  });
});

describe('the error and token definitions the panels state (docs/metrics.md)', () => {
  const lens = (id: string): SavedObjectLine => {
    const found = objects.find((o) => o.type === 'lens' && o.id === id);
    if (found === undefined) throw new Error(`lens ${id} not in the bundle`);
    return found;
  };

  it('counts faults and 5xx responses as errors, and says a 4xx response is not one', () => {
    const count = lens('gax-lens-error-count');
    expect(JSON.stringify(count.attributes.state)).toContain(
      JSON.stringify('eventType : "faulty" or proxyResponseCode >= 500'),
    );
    for (const id of ['gax-lens-error-count', 'gax-lens-error-rate'])
      expect(String(lens(id).attributes.description)).toContain(
        'a faulty event (any errorType, throttling included) or a response with a 5xx proxyResponseCode; a 4xx response is not an error',
      );
  });

  it('sums totalTokens for Total Token Usage and says what that total is', () => {
    const total = lens('gax-lens-total-tokens');
    expect(JSON.stringify(total.attributes.state)).toContain('"operationType":"sum"');
    expect(JSON.stringify(total.attributes.state)).toContain(
      '"sourceField":"properties.aiTokenUsage.totalTokens"',
    );
    const said = String(total.attributes.description);
    expect(said).toContain('Sum of properties.aiTokenUsage.totalTokens');
    expect(said).toContain('may exceed prompt + completion');
    expect(said).toContain('token_type');
  });
});

describe('the Kibana validator on controls', () => {
  const traffic = 'gax-ingress-traffic';
  const apiControl = 'ingress-traffic-api';
  const cases: { what: string; text: () => string; problem: string }[] = [
    {
      what: 'a control type is unknown',
      text: () => mutated(traffic, (p) => Object.assign(p[apiControl] as Control, { type: 'sliderControl' })),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: unknown control type "sliderControl"`,
    },
    {
      what: 'a control field is not in the data view',
      text: () =>
        mutated(traffic, (p) => {
          (p[apiControl] as Control).explicitInput.fieldName = 'api.keyword';
        }),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: field "api.keyword" is not in the data view`,
    },
    {
      what: 'a control lists a text field (not aggregatable)',
      text: () =>
        mutated(traffic, (p) => {
          (p[apiControl] as Control).explicitInput.fieldName = 'apiName';
        }),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: field "apiName" (text) cannot back a optionsListControl: it must be aggregatable`,
    },
    {
      what: "a control's data view reference is missing",
      text: () =>
        mutated(traffic, (_, d) => {
          d.references = d.references.filter((r) => !r.name.startsWith(`controlGroup_${apiControl}:`));
        }),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: no data view: neither explicitInput.dataViewId nor a reference "controlGroup_${apiControl}:optionsListDataView"`,
    },
    {
      what: "a control's data view reference is not an index-pattern",
      text: () =>
        mutated(traffic, (_, d) => {
          d.references = d.references.map((r) =>
            r.name.startsWith(`controlGroup_${apiControl}:`)
              ? { ...r, type: 'lens', id: 'gax-lens-total-traffic' }
              : r,
          );
        }),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: reference "controlGroup_${apiControl}:optionsListDataView" must be an index-pattern, not lens`,
    },
    {
      what: 'two controls share a place in the chain',
      text: () =>
        mutated(traffic, (p) => {
          (p['ingress-traffic-application'] as Control).order = 1;
        }),
      problem: `dashboard/${traffic}: controlGroupInput: controls ${apiControl} and ingress-traffic-application share order 1`,
    },
    {
      what: "a control's id differs from its key",
      text: () =>
        mutated(traffic, (p) => {
          (p[apiControl] as Control).explicitInput.id = 'other';
        }),
      problem: `dashboard/${traffic}: controlGroupInput: control ${apiControl}: explicitInput.id "other" differs from its key`,
    },
    {
      what: 'a control id is used twice',
      text: () =>
        text
          .split('\n')
          .map((line) => {
            if (!line.includes(`"id":"${traffic}"`)) return line;
            const o = JSON.parse(line) as SavedObjectLine;
            const group = o.attributes.controlGroupInput as Json;
            const json = String(group.panelsJSON);
            const again = json.slice(
              json.indexOf(`"${apiControl}":`),
              json.indexOf(',"ingress-traffic-application"'),
            );
            group.panelsJSON = `${json.slice(0, -1)},${again}}`;
            return JSON.stringify(o);
          })
          .join('\n'),
      problem: `dashboard/${traffic}: controlGroupInput: control id ${apiControl} is used twice`,
    },
    {
      what: 'a control reference belongs to no control',
      text: () =>
        mutated(traffic, (p) => {
          delete p[apiControl];
        }),
      problem: `dashboard/${traffic}: reference "controlGroup_${apiControl}:optionsListDataView" belongs to no control of the control group`,
    },
    {
      what: 'the chaining system is unknown',
      text: () =>
        mutated(traffic, (_, d) => {
          (d.attributes.controlGroupInput as Json).chainingSystem = 'CHAINED';
        }),
      problem: `dashboard/${traffic}: controlGroupInput: chainingSystem must be one of HIERARCHICAL, NONE, not "CHAINED"`,
    },
  ];

  it.each(cases)('reports the problem when $what', ({ text: make, problem }) => {
    expect(validateKibanaNdjson(make(), fields)).toContain(problem);
  });

  it('accepts the bundle as generated', () => {
    expect(validateKibanaNdjson(text, fields)).toEqual([]);
  });
});
