// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is Grafana variable syntax under test
import { describe, expect, it } from 'vitest';
import { DEFAULT_VARIABLE_VALUES, substituteVariables } from './grafana-expressions.js';
import { promqlReferences, templateVariables } from './promql.js';

describe('promqlReferences', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['a selector with matchers', 'up{job="gax", instance=~"gw.*"}', ['up']],
    [
      'an aggregation with by before the call',
      'sum by (api, le) (rate(apim_request_duration_seconds_bucket{api=~"$api"}[$__rate_interval]))',
      ['apim_request_duration_seconds_bucket'],
    ],
    [
      'an aggregation with by after the call',
      'sum(rate(apim_errors_total[5m])) by (error_type)',
      ['apim_errors_total'],
    ],
    [
      'a join with on and group_left',
      'sum by (vendor) (a_total) / on (vendor) group_left () sum by (vendor) (b_total)',
      ['a_total', 'b_total'],
    ],
    [
      'set operators, offset and numbers',
      'increase(x_total[15m]) > 0 or (x_total > 1e3 unless x_total offset 15m) and vector(0.5) == bool 1',
      ['x_total'],
    ],
    [
      'recording rule names',
      '(apim:errors:ratio5m or apim:requests:rate5m * 0) / apim:requests:rate5m',
      ['apim:errors:ratio5m', 'apim:requests:rate5m'],
    ],
    ['metric-like words inside strings', 'up{job="sum_total", instance=\'rate(x)\'}', ['up']],
    ['Inf and NaN', 'x > -Inf and x != NaN', ['x']],
  ])('finds the metric names of %s', (_what, expr, metrics) => {
    expect(promqlReferences(expr).metrics).toEqual(metrics);
  });

  it('reports the label names each selector matches on', () => {
    const refs = promqlReferences(
      'rate(a_total{job=~"$job", api!="", status_code=~"5.."}[1m]) / b{le="+Inf"}',
    );
    expect(refs.selectors).toEqual([
      { metric: 'a_total', labels: ['job', 'api', 'status_code'] },
      { metric: 'b', labels: ['le'] },
    ]);
  });

  it('reports the label names of by, without, on and group_left lists', () => {
    const refs = promqlReferences('sum by (job, api) (a) / on (job) group_left (model) sum without (le) (b)');
    expect(refs.grouping).toEqual(['job', 'api', 'model', 'le']);
  });

  it('counts selectors that have no metric name', () => {
    expect(promqlReferences('rate({__name__=~"apim_.*"}[5m])').anonymousSelectors).toBe(1);
  });
});

describe('template variables', () => {
  it('finds $name, ${name}, ${name:format} and [[name]]', () => {
    expect(templateVariables('a{x=~"$api", y="${job:regex}"}[$__rate_interval] [[old]] ${ds}')).toEqual([
      'api',
      'job',
      '__rate_interval',
      'old',
      'ds',
    ]);
  });

  it('substitutes every variable with a concrete value', () => {
    expect(
      substituteVariables(
        'sum(increase(a{job=~"$job", api=~"${api}"}[$__range])) / sum(rate(a[$__rate_interval]))',
        DEFAULT_VARIABLE_VALUES,
      ),
    ).toBe('sum(increase(a{job=~".*", api=~".*"}[1h])) / sum(rate(a[1m]))');
  });

  it('refuses to substitute a variable it has no value for', () => {
    expect(() => substituteVariables('rate(a[$__interval])', DEFAULT_VARIABLE_VALUES)).toThrow('$__interval');
  });
});
