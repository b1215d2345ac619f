import { describe, expect, it } from 'vitest';
import {
  type AnyJson,
  broken,
  DEFS,
  editVis,
  FIELDS,
  type Obj,
  objects,
  TEXT,
  toText,
} from './opensearch-bundle.js';
import { definitionProblems } from './opensearch-definitions.js';
import { validateOsdNdjson } from './opensearch-validator.js';

describe('the validator refuses a bundle broken for each rule', () => {
  const rules: [string, () => string[], RegExp][] = [
    ['a line that is not JSON', () => validateOsdNdjson(`${TEXT}{nope\n`, FIELDS), /not one JSON object/],
    ['no trailing newline', () => validateOsdNdjson(TEXT.trimEnd(), FIELDS), /does not end with a newline/],
    [
      'an unknown type',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.type = 'lens';
        }),
      /not a saved-object type/,
    ],
    [
      'no id',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.id = '';
        }),
      /needs a string id/,
    ],
    [
      'no attributes',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          delete (o as Partial<Obj>).attributes;
        }),
      /needs attributes/,
    ],
    [
      'a duplicate id',
      () => validateOsdNdjson(`${TEXT + TEXT.split('\n')[5]}\n`, FIELDS),
      /id is not unique/,
    ],
    [
      'a dangling reference',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          (o.references[0] as Record<string, string>).id = 'gone';
        }),
      /missing_references: index-pattern\/gone/,
    ],
    [
      'a migrationVersion newer than 2.x',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          (o as AnyJson).migrationVersion = { visualization: '8.5.0' };
        }),
      /newer than OpenSearch Dashboards 2\.x's 7\.10\.0/,
    ],
    [
      'visState that does not parse',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.attributes.visState = '{';
        }),
      /visState does not parse/,
    ],
    [
      'uiStateJSON that does not parse',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.attributes.uiStateJSON = 'x';
        }),
      /uiStateJSON does not parse/,
    ],
    [
      'searchSourceJSON that does not parse',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.attributes.kibanaSavedObjectMeta = { searchSourceJSON: '[' };
        }),
      /searchSourceJSON does not parse/,
    ],
    [
      'indexRefName without its reference',
      () =>
        broken('gax-osd-total-traffic', (o) => {
          o.references = [];
        }),
      /indexRefName .* is not an index-pattern reference/,
    ],
    [
      'a Lens visualization type',
      () =>
        broken(
          'gax-osd-total-traffic',
          editVis((v) => {
            v.type = 'lnsXY';
          }),
        ),
      /not a visualization type of OpenSearch Dashboards 2\.x/,
    ],
    [
      'an unknown aggregation',
      () =>
        broken(
          'gax-osd-total-traffic',
          editVis((v) => {
            v.aggs[0].type = 'multi_terms';
          }),
        ),
      /unknown aggregation type "multi_terms"/,
    ],
    [
      'a field not in the mapping',
      () =>
        broken(
          'gax-osd-top-platforms',
          editVis((v) => {
            v.aggs[1].params.field = 'kubernetes.pod_name.keyword';
          }),
        ),
      /"kubernetes\.pod_name\.keyword" is not in the index mapping/,
    ],
    [
      'a text field aggregated',
      () =>
        broken(
          'gax-osd-top-platforms',
          editVis((v) => {
            v.aggs[1].params.field = 'platform';
          }),
        ),
      /terms on "platform" \(text\)/,
    ],
    [
      'a sum on a keyword',
      () =>
        broken(
          'gax-osd-total-tokens',
          editVis((v) => {
            v.aggs[0].params.field = 'apiName.keyword';
          }),
        ),
      /sum on "apiName\.keyword" \(keyword\)/,
    ],
    [
      'terms ordered by a percentiles metric',
      () =>
        broken(
          'gax-osd-latency-by-model',
          editVis((v) => {
            v.aggs[3].params.orderBy = '3';
          }),
        ),
      /terms ordered by "3", a multi-value metric/,
    ],
    [
      'terms ordered by no metric',
      () =>
        broken(
          'gax-osd-top-platforms',
          editVis((v) => {
            v.aggs[1].params.orderBy = '9';
          }),
        ),
      /orderBy "9" names no metric/,
    ],
    [
      'a KQL field not in the mapping',
      () =>
        broken('gax-osd-error-count', (o) => {
          o.attributes.kibanaSavedObjectMeta = {
            searchSourceJSON: JSON.stringify({
              query: { query: 'status >= 500', language: 'kuery' },
              filter: [],
              indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
            }),
          };
        }),
      /uses unknown field "status"/,
    ],
    [
      'a filters bucket on an unknown field',
      () =>
        broken(
          'gax-osd-request-summary',
          editVis((v) => {
            v.aggs[2].params.filters[0].input.query = 'code < 400';
          }),
        ),
      /uses unknown field "code"/,
    ],
    [
      'a TSVB index pattern not in the file',
      () =>
        broken(
          'gax-osd-error-rate',
          editVis((v) => {
            v.params.index_pattern = 'logs-*';
          }),
        ),
      /TSVB index_pattern "logs-\*"/,
    ],
    [
      'a TSVB ratio on an unknown field',
      () =>
        broken(
          'gax-osd-error-rate',
          editVis((v) => {
            v.params.series[0].metrics[0].numerator.query = 'failed : true';
          }),
        ),
      /numerator: KQL "failed : true" uses unknown field "failed"/,
    ],
    [
      'a TSVB math variable naming no metric',
      () =>
        broken(
          'gax-osd-slo-burn-rate',
          editVis((v) => {
            v.params.series[0].metrics[1].variables[0].field = 'nope';
          }),
        ),
      /math variable ok names no earlier metric/,
    ],
    [
      'a control without its index pattern reference',
      () =>
        broken('gax-osd-controls-traffic', (o) => {
          o.references = o.references.slice(0, 1);
        }),
      /control 1: indexPatternRefName "control_1_index_pattern"/,
    ],
    [
      'a navigation link to a missing dashboard',
      () =>
        broken(
          'gax-osd-nav-home',
          editVis((v) => {
            v.params.markdown += ' [x](#/view/gax-osd-nope)';
          }),
        ),
      /links to dashboard gax-osd-nope/,
    ],
    [
      'a dashboard panel without its reference',
      () =>
        broken('gax-osd-home', (o) => {
          o.references = o.references.slice(1);
        }),
      /panelRefName panel_0 is no visualization/,
    ],
    [
      'a panel outside the grid',
      () =>
        broken('gax-osd-home', (o) => {
          const p = JSON.parse(String(o.attributes.panelsJSON));
          p[0].gridData.x = 40;
          o.attributes.panelsJSON = JSON.stringify(p);
        }),
      /outside the 48-column grid/,
    ],
    [
      'an index pattern field the mapping lacks',
      () =>
        broken(objects()[0]?.id ?? '', (o) => {
          o.attributes.fields = JSON.stringify([{ name: 'bogus', aggregatable: true }]);
        }),
      /field bogus is not in the index mapping/,
    ],
  ];
  for (const [rule, run, expected] of rules)
    it(rule, () => {
      const problems = run();
      expect(
        problems.some((p) => expected.test(p)),
        problems.join('\n'),
      ).toBe(true);
    });

  it('refuses an error panel that counts 4xx, an error count without the defined errors, a token total of another field', () => {
    const list = objects();
    const summary = list.find((o) => o.id === 'gax-osd-request-summary') as Obj;
    const vis = JSON.parse(String(summary.attributes.visState));
    vis.aggs[2].params.filters[2].input.query = 'proxyResponseCode >= 400';
    summary.attributes.visState = JSON.stringify(vis);
    const count = list.find((o) => o.id === 'gax-osd-error-count') as Obj;
    count.attributes.kibanaSavedObjectMeta = {
      searchSourceJSON: JSON.stringify({ query: { query: 'eventType : "faulty"', language: 'kuery' } }),
    };
    const tokens = list.find((o) => o.id === 'gax-osd-total-tokens') as Obj;
    tokens.attributes.visState = String(tokens.attributes.visState).replace('totalTokens', 'promptTokens');
    const problems = definitionProblems(toText(list), DEFS);
    expect(
      problems.some((p) => /"Errors" is named for errors but counts 4xx/.test(p)),
      problems.join('\n'),
    ).toBe(true);
    expect(problems.some((p) => /"Error Request Count" does not count the defined errors/.test(p))).toBe(
      true,
    );
    expect(
      problems.some((p) => /"Total Token Usage" .*not properties\.aiTokenUsage\.totalTokens/.test(p)),
    ).toBe(true);
  });
});
