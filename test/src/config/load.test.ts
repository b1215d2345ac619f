// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigResult, loadConfig, parseConfig, redactConfig } from '../../../src/config/load.js';

const examplePath = resolve(import.meta.dirname, '../../../config.example.yaml');
const minimal = 'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\n';

function ok(result: ConfigResult) {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.problems, null, 2)}`);
  return result;
}

function problems(result: ConfigResult) {
  if (result.ok) throw new Error('expected problems, the config loaded');
  return result.problems;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseConfig', () => {
  it('fills every section with defaults when only inputs are given', () => {
    const { config, warnings } = ok(parseConfig(minimal, { env: {} }));
    expect(warnings).toEqual([]);
    expect(config.inputs).toEqual([
      {
        format: 'wso2-apim',
        paths: ['/var/log/apim_metrics.log'],
        followRotated: true,
        from: 'beginning',
        maxLineBytes: 1_048_576,
        pollIntervalMs: 250,
        partialLineTimeoutMs: 5000,
      },
    ]);
    expect(config.server).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      readiness: { maxPluginFailing: '5m', maxInputLag: '10m' },
    });
    expect(config.pipeline.retry).toEqual({
      initialIntervalMs: 200,
      maxIntervalMs: 30_000,
      multiplier: 2,
      jitter: 0.2,
      maxElapsedMs: 0,
    });
    expect(config.log).toEqual({ level: 'info', format: 'auto' });
    expect(config.plugins.file).toEqual({
      enabled: false,
      maxEventAge: '0s',
      path: resolve('data/events.ndjson'),
      maxBytes: 104_857_600,
      maxFiles: 5,
      fsync: 'batch',
    });
    expect(config.plugins.prometheus).toEqual({
      enabled: true,
      maxEventAge: '5m',
      labels: {
        application: false,
        user: false,
        platform: false,
        userAgent: false,
        destination: false,
        targetStatusCode: false,
        errorMessage: false,
        tenant: false,
        region: false,
        apiCreator: false,
        applicationOwner: false,
      },
      semconv: { http: false },
      maxSeriesPerMetric: 10_000,
      maxLabelValueLength: 1024,
      metricPrefix: 'apim',
      allowLabels: {},
      buckets: {
        latency: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        responseSize: [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000],
      },
    });
    expect(config.plugins.elasticsearch).toEqual({
      enabled: false,
      maxEventAge: '0s',
      node: 'http://127.0.0.1:9200',
      tls: { rejectUnauthorized: true },
      indexPrefix: 'apim_event',
      indexMode: 'index',
      flushBytes: 5_242_880,
      concurrency: 2,
      compression: true,
      requestTimeoutMs: 30_000,
      clockSkewMs: 300_000,
      templates: { install: true },
      searchable: { properties: {}, headers: false, mcpAnalytics: false },
    });
    expect(config.plugins.datadog).toEqual({
      enabled: false,
      maxEventAge: '0s',
      apiKey: '',
      site: 'datadoghq.com',
      prefix: 'apim.',
      flushIntervalSeconds: 10,
      maxTagSetsPerFlush: 1000,
      tags: {
        requests: ['api', 'api_version', 'method', 'resource', 'status_code', 'event_type'],
        errors: ['api', 'api_version', 'error_type', 'error_code'],
        'latency.response': ['api', 'api_version'],
        'latency.backend': ['api', 'api_version'],
        'latency.mediation': ['direction'],
        cache_hits: ['api', 'api_version'],
        'ai.tokens': ['vendor', 'model', 'token_type'],
        'ai.requests': ['vendor', 'model', 'status_code', 'event_type', 'api'],
        'ai.latency': ['vendor', 'model'],
      },
      logs: { enabled: false, format: 'json', source: '' },
      requestTimeoutMs: 30_000,
    });
  });

  it('fills the dead-letter path from state.dir when it is empty', () => {
    const { config } = ok(parseConfig(`${minimal}state: { dir: /srv/gax }\n`, { env: {} }));
    expect(config.pipeline.deadLetter.path).toBe('/srv/gax/dead-letter.ndjson');
  });

  it('reports three mistakes at once, each with its path, line and column', () => {
    const text = [
      'inputs:',
      '  - paths: [/var/log/a.log]',
      '    from: middle',
      'server:',
      '  port: 70000',
      'plugins:',
      '  elasticsearch:',
      '    nodes: http://es:9200',
      '',
    ].join('\n');
    expect(problems(parseConfig(text, { env: {} }))).toEqual([
      {
        path: 'inputs[0].from',
        message: 'must be one of: beginning, end',
        line: 3,
        column: 11,
        code: 'GAX_ERR_CONFIG_INVALID',
      },
      {
        path: 'server.port',
        message: 'must be an integer from 0 to 65535',
        line: 5,
        column: 9,
        code: 'GAX_ERR_CONFIG_INVALID',
      },
      {
        path: 'plugins.elasticsearch.nodes',
        message: 'unknown key "nodes" (did you mean "node"?)',
        line: 8,
        column: 5,
        code: 'GAX_ERR_CONFIG_INVALID',
      },
    ]);
  });

  it.each([
    [
      'a string where an integer belongs',
      'server: { port: abc }',
      'server.port',
      'must be an integer from 0 to 65535',
    ],
    [
      'a negative retry limit',
      'pipeline: { retry: { maxElapsedMs: -1 } }',
      'pipeline.retry.maxElapsedMs',
      'must be an integer ≥ 0',
    ],
    ['a fractional port', 'server: { port: 80.5 }', 'server.port', 'must be an integer from 0 to 65535'],
    [
      'an unknown log level',
      'log: { level: verbose }',
      'log.level',
      'must be one of: trace, debug, info, warn, error, fatal',
    ],
    ['a wrong type for a section', 'server: 9464', 'server', 'must be a mapping'],
    [
      'a string for a boolean',
      'plugins: { file: { enabled: "yes" } }',
      'plugins.file.enabled',
      'must be true or false',
    ],
    [
      'a malformed duration',
      'plugins: { prometheus: { maxEventAge: 5 } }',
      'plugins.prometheus.maxEventAge',
      'must be a duration such as 30s, 5m or 1h',
    ],
    [
      'a node that is not a URL',
      'plugins: { elasticsearch: { node: "es:9200" } }',
      'plugins.elasticsearch.node',
      'must be an http(s) URL such as http://127.0.0.1:9200',
    ],
    [
      'half of basic auth',
      'plugins: { elasticsearch: { auth: { username: u } } }',
      'plugins.elasticsearch.auth.password',
      'is required',
    ],
    [
      'datadog enabled without a key',
      'plugins: { datadog: { enabled: true } }',
      'plugins.datadog.apiKey',
      'is required',
    ],
    [
      'datadog enabled with an empty key',
      'plugins: { datadog: { enabled: true, apiKey: "" } }',
      'plugins.datadog.apiKey',
      'must be set (or apiKeyFile) when plugins.datadog.enabled is true',
    ],
    [
      'every plugin disabled',
      'plugins: { file: { enabled: false }, prometheus: { enabled: false } }',
      'plugins',
      'at least one plugin must be enabled',
    ],
  ])('reports %s as one problem', (_name, extra, path, message) => {
    const found = problems(parseConfig(`${minimal}${extra}\n`, { env: {} }));
    expect(found.map((p) => [p.path, p.message])).toEqual([[path, message]]);
  });

  it.each([
    ['a missing inputs list', 'state: { dir: /tmp }', 'inputs', 'is required'],
    ['an empty inputs list', 'inputs: []', 'inputs', 'must not be empty'],
    ['an empty paths list', 'inputs: [{ paths: [] }]', 'inputs[0].paths', 'must not be empty'],
    [
      'a mistake in the second input',
      'inputs: [{ paths: [a] }, { paths: [b], from: start }]',
      'inputs[1].from',
      'must be one of: beginning, end',
    ],
    [
      'an unknown input format',
      'inputs: [{ paths: [a], format: nginx }]',
      'inputs[0].format',
      'must be one of: wso2-apim',
    ],
  ])('reports %s', (_name, text, path, message) => {
    const found = problems(parseConfig(`${text}\n`, { env: {} }));
    expect(found.map((p) => [p.path, p.message])).toEqual([[path, message]]);
  });

  it('reports an unknown plugin with its own code', () => {
    const [problem] = problems(parseConfig(`${minimal}plugins: { pulsar: {} }\n`, { env: {} }));
    expect(problem).toMatchObject({ path: 'plugins.pulsar', code: 'GAX_ERR_PLUGIN_UNKNOWN', line: 3 });
  });

  it('reports a YAML syntax error with its line and column', () => {
    const text = `${minimal}server:\n  port: 1\n  port: 2\n`;
    expect(problems(parseConfig(text, { env: {} }))).toEqual([
      { path: '', message: 'Map keys must be unique', line: 5, column: 3, code: 'GAX_ERR_CONFIG_YAML' },
    ]);
  });

  it('reports only the first syntax error and hints at quoting references in flow collections', () => {
    const [problem, ...rest] = problems(parseConfig(`${minimal}server: {port: \${PORT}}\n`, { env: {} }));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ line: 3, column: 17, code: 'GAX_ERR_CONFIG_YAML' });
    expect(problem?.message).toContain('write "${VAR}" in quotes');
  });

  it('treats a key left empty as omitted, so its defaults apply', () => {
    const { config } = ok(parseConfig(`${minimal}server:\nplugins:\n  file:\n`, { env: {} }));
    expect(config.server).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      readiness: { maxPluginFailing: '5m', maxInputLag: '10m' },
    });
    expect(config.plugins.file.enabled).toBe(false);
    expect(config.plugins.file.maxFiles).toBe(5);
  });

  it.each([
    ['a plural', 'nodes', 'node'],
    ['a wrong case', 'indexprefix', 'indexPrefix'],
    ['a typo', 'enabeld', 'enabled'],
  ])('suggests the key meant by %s', (_name, typed, meant) => {
    const [problem] = problems(
      parseConfig(`${minimal}plugins: { elasticsearch: { ${typed}: x } }\n`, { env: {} }),
    );
    expect(problem?.message).toBe(`unknown key "${typed}" (did you mean "${meant}"?)`);
  });

  it('suggests nothing for a key unlike any known one', () => {
    const [problem] = problems(parseConfig(`${minimal}server: { address: x }\n`, { env: {} }));
    expect(problem?.message).toBe('unknown key "address"');
  });

  it('rejects a document that is not a mapping', () => {
    expect(problems(parseConfig('- a\n- b\n', { env: {} }))).toMatchObject([
      { path: '', message: 'must be a mapping' },
    ]);
  });
});

describe('environment substitution', () => {
  const load = (extra: string, env: Record<string, string | undefined>) =>
    parseConfig(`${minimal}${extra}\n`, { env });

  it.each([
    ['a set variable', 'log: { level: "${LEVEL}" }', { LEVEL: 'debug' }, 'debug'],
    ['the default of an unset variable', 'log: { level: "${LEVEL:-warn}" }', {}, 'warn'],
    ['the default of an empty variable', 'log: { level: "${LEVEL:-warn}" }', { LEVEL: '' }, 'warn'],
    ['a set variable over its default', 'log: { level: "${LEVEL:-warn}" }', { LEVEL: 'error' }, 'error'],
  ])('substitutes %s', (_name, extra, env, level) => {
    expect(ok(load(extra, env)).config.log.level).toBe(level);
  });

  it('keeps $${ as a literal ${ and substitutes inside longer strings', () => {
    const { config } = ok(load('plugins: { datadog: { logs: { source: "$${x}.${ENV:-dev}." } } }', {}));
    expect(config.plugins.datadog.logs.source).toBe('${x}.dev.');
  });

  it('reads a whole-scalar reference as the type the key expects', () => {
    const env = { PORT: '9100', ON: 'false', KEY: '0123' };
    const { config } = ok(
      load('server:\n  port: ${PORT}\n  enabled: ${ON}\nplugins: { datadog: { apiKey: "${KEY}" } }', env),
    );
    expect(config.server).toMatchObject({ port: 9100, enabled: false });
    expect(config.plugins.datadog.apiKey).toBe('0123');
  });

  it('never lets a value add YAML structure', () => {
    const { config } = ok(load('state:\n  dir: ${DIR}', { DIR: '{ a: 1 }' }));
    expect(config.state.dir).toBe(resolve('{ a: 1 }'));
  });

  it('reports every unset variable together with the schema problems', () => {
    const text = `${minimal}server:\n  host: \${HOST}\n  port: 70000\nstate:\n  dir: \${DIR}/x\n`;
    const found = problems(parseConfig(text, { env: {} }));
    expect(found.map((p) => [p.path, p.code, p.line])).toEqual([
      ['server.host', 'GAX_ERR_CONFIG_ENV', 4],
      ['server.port', 'GAX_ERR_CONFIG_INVALID', 5],
      ['state.dir', 'GAX_ERR_CONFIG_ENV', 7],
    ]);
    expect(found[0]?.message).toContain('HOST is not set');
  });

  it('reports a malformed reference', () => {
    expect(problems(load('state: { dir: "${NOT VALID}" }', {}))).toMatchObject([
      { path: 'state.dir', code: 'GAX_ERR_CONFIG_ENV' },
    ]);
  });

  it('warns about a secret written literally in the file', () => {
    const { warnings } = ok(load('plugins: { datadog: { apiKey: abc } }', {}));
    expect(warnings).toMatchObject([
      { path: 'plugins.datadog.apiKey', line: 3, code: 'GAX_ERR_CONFIG_INVALID' },
      { path: 'plugins.datadog', line: 3, code: 'GAX_ERR_CONFIG_CONFLICT' }, // configured, never enabled
    ]);
  });
});

describe('loadConfig', () => {
  it('loads config.example.yaml with no problems and no warnings', async () => {
    const result = ok(await loadConfig(examplePath, {}));
    expect(result.warnings).toEqual([]);
  });

  it('config.example.yaml shows every default: it loads like a config with only its inputs', async () => {
    const example = ok(await loadConfig(examplePath, {})).config;
    const inputs = 'inputs: [{ paths: ["/var/log/wso2/apim_metrics.log"] }]\n';
    const bare = ok(parseConfig(inputs, { env: {}, source: examplePath })).config;
    expect(example).toEqual(bare);
  });

  it('resolves relative paths against the directory of the config file', async () => {
    const configDir = join(dir, 'etc');
    await mkdir(configDir, { recursive: true });
    const file = join(configDir, 'gax.yaml');
    await writeFile(file, 'inputs: [{ paths: [logs/*.log, /abs/a.log] }]\nstate: { dir: state }\n');
    const { config } = ok(await loadConfig(file, {}));
    expect(config.inputs[0]?.paths).toEqual([join(configDir, 'logs/*.log'), '/abs/a.log']);
    expect(config.state.dir).toBe(join(configDir, 'state'));
    expect(config.pipeline.deadLetter.path).toBe(join(configDir, 'state', 'dead-letter.ndjson'));
    expect(config.plugins.file.path).toBe(join(configDir, 'data', 'events.ndjson'));
  });

  it('reports an unreadable file', async () => {
    expect(problems(await loadConfig(join(dir, 'missing.yaml'), {}))).toEqual([
      { path: '', message: 'cannot read file (ENOENT)', code: 'GAX_ERR_CONFIG_READ' },
    ]);
  });
});

describe('redactConfig', () => {
  it('replaces every secret and leaves the config untouched', () => {
    const text = `${minimal}plugins:\n  elasticsearch: { auth: { username: elastic, password: "\${PW}" } }\n  datadog: { apiKey: "\${DD}" }\n`;
    const { config } = ok(parseConfig(text, { env: { PW: 'hunter2', DD: 'dd-key' } }));
    const redacted = redactConfig(config) as typeof config;
    expect(redacted.plugins.elasticsearch.auth).toEqual({ username: 'elastic', password: '<redacted>' });
    expect(redacted.plugins.datadog.apiKey).toBe('<redacted>');
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|dd-key/);
    expect(config.plugins.datadog.apiKey).toBe('dd-key');
  });

  it('redacts an Elasticsearch API key', () => {
    const text = `${minimal}plugins: { elasticsearch: { auth: { apiKey: "\${K}" } } }\n`;
    const redacted = redactConfig(ok(parseConfig(text, { env: { K: 'secret' } })).config);
    expect(JSON.stringify(redacted)).not.toContain('secret');
  });
});
