// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCheckConfig } from '../../../src/commands/check-config.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => {
    text.out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    text.err += chunk.toString();
  });
  return { io: { stdout, stderr }, text };
}

let dir: string;
const write = async (name: string, text: string) => {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-check-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCheckConfig', () => {
  it('exits 0 and summarises a valid config', async () => {
    const { io, text } = capture();
    const example = resolve(import.meta.dirname, '../../../config.example.yaml');
    expect(await runCheckConfig(example, io, {})).toBe(0);
    expect(text.out).toBe(
      [
        `config OK: ${example}`,
        '  input:   wso2-apim /var/log/wso2/apim_metrics.log (from beginning)',
        '  plugins: prometheus',
        '  prometheus: apim_* on /metrics (at most 10000 series per metric)',
        '  server:  http://127.0.0.1:9464 (/metrics, /healthz, /readyz)',
        `  state:   ${resolve(example, '../data')}`,
        '',
      ].join('\n'),
    );
    expect(text.err).toBe('');
  });

  it('names the Elasticsearch target and indices when that plugin is enabled', async () => {
    const file = await write(
      'es.yaml',
      'inputs: [{ paths: [a.log] }]\nplugins:\n  elasticsearch: { enabled: true, node: "https://es:9200", indexMode: dataStream }\n',
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, {})).toBe(0);
    expect(text.out).toContain(
      '  elasticsearch: https://es:9200 → data streams apim_event_response, apim_event_faulty\n',
    );
  });

  it('describes every enabled instance, named ones included, each under its own id', async () => {
    const file = await write(
      'instances.yaml',
      [
        'inputs: [{ paths: [a.log] }]',
        'plugins:',
        '  elasticsearch: { enabled: true, node: "https://hot:9200" }',
        '  elasticsearch/archive: { node: "https://user:pw@cold:9200", indexPrefix: cold, indexMode: daily }',
        '  elasticsearch/off: { enabled: false }',
        '  datadog/eu: { apiKey: "${K}", site: datadoghq.eu }',
        '',
      ].join('\n'),
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, { K: 'k' })).toBe(0);
    const lines = text.out.split('\n');
    expect(lines).toContain('  plugins: prometheus, elasticsearch, elasticsearch/archive, datadog/eu');
    expect(lines).toContain(
      '  elasticsearch: https://hot:9200 → indices apim_event_response, apim_event_faulty',
    );
    expect(lines).toContain(
      '  elasticsearch/archive: https://user:<redacted>@cold:9200 → indices cold_response-YYYY.MM.DD, cold_faulty-YYYY.MM.DD',
    );
    expect(lines).toContain('  datadog/eu: https://api.datadoghq.eu, metrics apim.*, logs off');
    expect(text.out).toMatch(/^ {2}datadog\/eu custom metrics: one per distinct tag set/m);
    expect(lines).toContain('  prometheus: apim_* on /metrics (at most 10000 series per metric)');
    expect(text.out).not.toContain('elasticsearch/off:');
    expect(text.out).not.toMatch(/^ {2}datadog:/m);
  });

  it('says whether Datadog logs go out, and in WSO2 format under which source', async () => {
    const file = await write(
      'dd-logs.yaml',
      [
        'inputs: [{ paths: [a.log] }]',
        'plugins:',
        '  datadog: { enabled: true, apiKey: "${K}", logs: { enabled: true, format: wso2 } }',
        '  datadog/json: { apiKey: "${K}", prefix: other., logs: { enabled: true } }',
        '  datadog/src: { apiKey: "${K}", prefix: third., logs: { enabled: true, format: wso2, source: apim } }',
        '',
      ].join('\n'),
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, { K: 'k' })).toBe(0);
    const lines = text.out.split('\n');
    expect(lines).toContain(
      '  datadog: https://api.datadoghq.com, metrics apim.*, logs on (WSO2 format, source apim_node)',
    );
    expect(lines).toContain('  datadog/json: https://api.datadoghq.com, metrics other.*, logs on');
    expect(lines).toContain(
      '  datadog/src: https://api.datadoghq.com, metrics third.*, logs on (WSO2 format, source apim)',
    );
  });

  it('estimates the Datadog custom metrics of the config from a sample log', async () => {
    const file = await write(
      'dd.yaml',
      'inputs: [{ paths: [a.log] }]\nplugins:\n  datadog: { enabled: true, apiKey: "${K}" }\n',
    );
    const { io, text } = capture();
    const sample = resolve(import.meta.dirname, '../../../examples/apim_metrics.log');
    expect(await runCheckConfig(file, io, { K: 'k' }, { sample })).toBe(0);
    expect(text.out).toContain('  datadog: https://api.datadoghq.com, metrics apim.*, logs off\n');
    expect(text.out).toContain(`  datadog custom metrics from 500 events of ${sample}:\n`);
    expect(text.out).toMatch(/apim\.requests\s+171 tag sets →\s+171 /);
    expect(text.out).toMatch(/apim\.latency\.mediation\s+2 tag sets →\s+20 /);
    expect(text.out).toMatch(/total\s+\d+ custom metrics\n/);
  });

  it('exits 2 and prints every problem as file:line:col path: message [code]', async () => {
    const file = await write(
      'bad.yaml',
      'inputs:\n  - paths: [a.log]\n    from: middle\nserver:\n  port: 70000\nplugins:\n  elasticsearch:\n    nodes: x\n',
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, {})).toBe(2);
    expect(text.err.split('\n')).toEqual([
      `${file}:3:11 inputs[0].from: must be one of: beginning, end [GAX_ERR_CONFIG_INVALID]`,
      `${file}:5:9 server.port: must be an integer from 0 to 65535 [GAX_ERR_CONFIG_INVALID]`,
      `${file}:8:5 plugins.elasticsearch.nodes: unknown key "nodes" (did you mean "node"?) [GAX_ERR_CONFIG_INVALID]`,
      `3 problems in ${file}`,
      '',
    ]);
    expect(text.out).toBe('');
  });

  it('omits line and column when a problem has no place in the file', async () => {
    const file = await write('empty.yaml', 'state: { dir: /tmp }\n');
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, {})).toBe(2);
    expect(text.err).toContain(`${file} inputs: is required [GAX_ERR_CONFIG_INVALID]\n`);
  });

  it('exits 2 when the file cannot be read', async () => {
    const { io, text } = capture();
    expect(await runCheckConfig(join(dir, 'nope.yaml'), io, {})).toBe(2);
    expect(text.err).toContain('[GAX_ERR_CONFIG_READ]');
  });

  it('prints the effective config with defaults filled and secrets redacted', async () => {
    const file = await write(
      'secret.yaml',
      'inputs: [{ paths: [a.log] }]\nplugins:\n  datadog: { enabled: true, apiKey: "${DD_API_KEY}" }\n',
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, { DD_API_KEY: 'very-secret' }, { print: true })).toBe(0);
    expect(text.out).not.toContain('very-secret');
    const printed = parse(text.out) as Record<string, Record<string, Record<string, unknown>>>;
    expect(printed.plugins?.datadog).toMatchObject({
      enabled: true,
      maxEventAge: '0s',
      apiKey: '<redacted>',
      site: 'datadoghq.com',
      prefix: 'apim.',
      flushIntervalSeconds: 10,
    });
    expect(printed.server).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9464,
      readiness: { maxPluginFailing: '5m', maxInputLag: '10m' },
    });
    expect(printed.inputs).toEqual([
      {
        paths: [join(dir, 'a.log')],
        format: 'wso2-apim',
        followRotated: true,
        from: 'beginning',
        maxLineBytes: 1048576,
        pollIntervalMs: 250,
        partialLineTimeoutMs: 5000,
      },
    ]);
  });

  it('prints warnings on stderr and still exits 0', async () => {
    const file = await write(
      'plain.yaml',
      'inputs: [{ paths: [a.log] }]\nplugins: { datadog: { apiKey: abc } }\n',
    );
    const { io, text } = capture();
    expect(await runCheckConfig(file, io, {})).toBe(0);
    expect(text.err).toBe(
      `warning: ${file}:2:31 plugins.datadog.apiKey: secret written in the file; prefer an \${ENV_VAR} reference [GAX_ERR_CONFIG_INVALID]\n` +
        `warning: ${file}:2:21 plugins.datadog: has settings but is off (this plugin is off unless enabled): add "enabled: true" to use it, or remove the section [GAX_ERR_CONFIG_CONFLICT]\n`,
    );
  });
});
