/**
 * `gax setup <name> --instance <type>/<name>` (the built CLI): the setup commands come from the
 * plugins' `setup` capability and use the section of the named instance in `--config`.
 * `--print` contacts nothing, so no backend is needed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-setup-instances-'));
  config = join(dir, 'gax.yaml');
  await writeFile(
    config,
    [
      'inputs: [{ paths: [a.log] }]',
      'plugins:',
      '  elasticsearch: { indexPrefix: hot_apim }',
      '  elasticsearch/archive: { node: "http://127.0.0.1:9", indexPrefix: cold_apim, indexMode: daily }',
      '  datadog/eu: { apiKey: k, site: datadoghq.eu, prefix: "eu.apim." }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const templateNames = (stdout: string): string[] => {
  const printed = JSON.parse(stdout) as { index_templates: Record<string, unknown> };
  return Object.keys(printed.index_templates).sort();
};

describe('gax setup --instance', () => {
  it('prints the templates of the base section by default and of a named instance with --instance', async () => {
    const base = await runCli(['setup', 'elasticsearch', '-c', config, '--print']);
    expect(base.code).toBe(0);
    expect(templateNames(base.stdout)).toEqual(['hot_apim_faulty', 'hot_apim_response']);
    const archive = await runCli([
      'setup',
      'elasticsearch',
      '-c',
      config,
      '--instance',
      'elasticsearch/archive',
      '--print',
    ]);
    expect(archive.stderr).toBe('');
    expect(archive.code).toBe(0);
    expect(templateNames(archive.stdout)).toEqual(['cold_apim_faulty', 'cold_apim_response']);
    expect(archive.stdout).toContain('"cold_apim_response-*"');
  });

  it('writes the dashboards of a named Datadog instance for its metric prefix', async () => {
    const r = await runCli(['setup', 'datadog', '-c', config, '--instance', 'datadog/eu', '--print']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('eu.apim.requests{');
    expect(r.stdout).not.toContain(':apim.requests{');
  });

  it.each([
    [['--instance', 'datadog/eu'], '--instance must be elasticsearch or elasticsearch/<name>: datadog/eu'],
    [
      ['--instance', 'elasticsearch/nope'],
      'has no section plugins.elasticsearch/nope (it has: elasticsearch, elasticsearch/archive) [GAX_ERR_CLI_USAGE]',
    ],
  ])('exits 2 for %j', async (args, message) => {
    const r = await runCli(['setup', 'elasticsearch', '-c', config, ...args, '--print']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 when a named instance is asked for without --config', async () => {
    const r = await runCli(['setup', 'elasticsearch', '--instance', 'elasticsearch/archive', '--print'], {
      env: { GAX_CONFIG: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--instance elasticsearch/archive needs --config <file>');
  });
});
