import { describe, expect, it } from 'vitest';
import { globMatches, readsFile } from '../../../src/config/conflicts.js';
import { parseConfig } from '../../../src/config/load.js';

/** The warnings coded GAX_ERR_CONFIG_CONFLICT of a config (paths as `a.b.c`). */
function conflicts(yaml: string): { path: string; message: string }[] {
  const loaded = parseConfig(yaml, { env: {}, source: '/etc/gax/gax.yaml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.warnings
    .filter((w) => w.code === 'GAX_ERR_CONFIG_CONFLICT')
    .map((w) => ({ path: w.path, message: w.message }));
}

const INPUT = 'inputs: [{ paths: [/var/log/wso2/apim_metrics.log] }]\n';

describe('configuration contradictions', () => {
  it('finds none in a plain config', () => {
    expect(conflicts(`${INPUT}plugins: { prometheus: { enabled: true } }\n`)).toEqual([]);
  });

  it('warns about the prometheus plugin without the HTTP server', () => {
    const found = conflicts(
      `${INPUT}server: { enabled: false }\nplugins: { prometheus: { enabled: true } }\n`,
    );
    expect(found).toEqual([
      { path: 'plugins.prometheus.enabled', message: expect.stringContaining('nothing can scrape it') },
    ]);
  });

  it('warns about a second prometheus instance with a metricPrefix already in use, once, on the later one', () => {
    const found = conflicts(
      `${INPUT}plugins:\n  prometheus: {}\n  prometheus/copy: {}\n  prometheus/byapp: { metricPrefix: apim_app }\n  prometheus/again: { metricPrefix: apim_app }\n`,
    );
    expect(found).toEqual([
      {
        path: 'plugins["prometheus/copy"].metricPrefix',
        message: expect.stringContaining('prometheus already exposes its metrics as apim_*'),
      },
      {
        path: 'plugins["prometheus/again"].metricPrefix',
        message: expect.stringContaining('prometheus/byapp already exposes its metrics as apim_app_*'),
      },
    ]);
    expect(conflicts(`${INPUT}plugins:\n  prometheus: {}\n  prometheus/copy: { enabled: false }\n`)).toEqual(
      [],
    );
  });

  it('warns about a plugin section with settings but no enabled key (the file plugin is off by default)', () => {
    const found = conflicts(
      `${INPUT}plugins: { prometheus: { enabled: true }, file: { path: /tmp/out.ndjson } }\n`,
    );
    expect(found).toEqual([{ path: 'plugins.file', message: expect.stringContaining('enabled: true') }]);
    expect(
      conflicts(
        `${INPUT}plugins: { prometheus: { enabled: true }, file: { enabled: false, path: /tmp/o } }\n`,
      ),
    ).toEqual([]);
  });

  it('warns when an input glob would read the file plugin’s output or the dead-letter file', () => {
    const found = conflicts(
      [
        'inputs: [{ paths: ["/data/**/*.ndjson"] }]',
        'state: { dir: /data/state }',
        'plugins: { file: { enabled: true, path: /data/out/events.ndjson } }',
        '',
      ].join('\n'),
    );
    expect(found.map((f) => f.path).sort()).toEqual(['pipeline.deadLetter.path', 'plugins.file.path']);
    expect(found[0]?.message).toContain('gax would read what it writes');
  });

  it('warns when the file plugin writes to the dead-letter file', () => {
    const found = conflicts(
      `${INPUT}state: { dir: /s }\nplugins: { file: { enabled: true, path: /s/dead-letter.ndjson } }\n`,
    );
    expect(found.map((f) => f.path)).toEqual(['plugins.file.path']);
  });

  it('runs each plugin’s own checks on its named instances too, at the instance’s path', () => {
    const found = conflicts(
      [
        INPUT.trim(),
        'state: { dir: /s }',
        'server: { enabled: false }',
        'plugins:',
        '  prometheus: { enabled: false }',
        '  prometheus/edge: {}',
        '  file/copy: { path: /s/dead-letter.ndjson }',
        '  elasticsearch/archive: { templates: { ilmPolicy: p } }',
        '  elasticsearch/off: { enabled: false, templates: { ilmPolicy: p } }',
        '',
      ].join('\n'),
    );
    expect(found.map((f) => f.path).sort()).toEqual([
      'plugins["elasticsearch/archive"].templates.ilmPolicy',
      'plugins["file/copy"].path',
      'plugins["prometheus/edge"].enabled',
    ]);
  });

  it('warns about an ILM policy on fixed index names, and a retry ceiling under its first interval', () => {
    const found = conflicts(
      [
        INPUT.trim(),
        'pipeline: { retry: { initialIntervalMs: 5000, maxIntervalMs: 1000 } }',
        'plugins: { elasticsearch: { enabled: true, templates: { ilmPolicy: p } } }',
        '',
      ].join('\n'),
    );
    expect(found.map((f) => f.path).sort()).toEqual([
      'pipeline.retry.maxIntervalMs',
      'plugins.elasticsearch.templates.ilmPolicy',
    ]);
  });

  it('warns when headers are made searchable with credential headers kept, not once pii rewrites them', () => {
    const kept = conflicts(
      `${INPUT}plugins: { elasticsearch: { enabled: true, searchable: { headers: true } } }\n`,
    );
    expect(kept).toMatchObject([
      {
        path: 'plugins.elasticsearch.searchable.headers',
        message: expect.stringContaining('pii: { headers: drop }'),
      },
    ]);
    for (const action of ['drop', 'mask', 'hash'])
      expect(
        conflicts(
          `${INPUT}plugins: { elasticsearch: { enabled: true, searchable: { headers: true }, pii: { headers: ${action}, hashKey: a-pii-key-of-32-characters-long! } } }\n`,
        ),
      ).toEqual([]);
  });
});

describe('input globs', () => {
  it.each([
    ['/a/*.log', '/a/x.log', true],
    ['/a/*.log', '/a/b/x.log', false],
    ['/a/**/*.log', '/a/b/c/x.log', true],
    ['/a/**/x.log', '/a/x.log', true],
    ['/a/x.{log,txt}', '/a/x.txt', true],
    ['/a/x?.log', '/a/x1.log', true],
    ['/a/[ab].log', '/a/b.log', true],
    ['/a/[!ab].log', '/a/b.log', false],
    ['/a/x.log', '/a/x.log', true],
    ['/a/x.log', '/a/xlog', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });

  it('counts a rotated sibling of a followed input as read', () => {
    expect(readsFile('/l/apim_metrics.log', '/l/apim_metrics-out.log', true)).toBe(true);
    expect(readsFile('/l/apim_metrics.log', '/l/apim_metrics-out.log', false)).toBe(false);
  });
});
