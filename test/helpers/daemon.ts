import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

/** A daemon config for tests in `dir`: tails `dir/logs/*.log`, file + prometheus plugins, port 0. */
export function testConfig(dir: string, extra = ''): Config {
  const q = JSON.stringify;
  const yaml = [
    'inputs:',
    `  - paths: [${q(join(dir, 'logs', 'apim_metrics*.log'))}]`,
    '    pollIntervalMs: 20',
    `state: { dir: ${q(join(dir, 'state'))} }`,
    'server: { host: 127.0.0.1, port: 0 }',
    'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
    'log: { level: warn, format: json }',
    'plugins:',
    `  file: { enabled: true, path: ${q(join(dir, 'out', 'events.ndjson'))} }`,
    '  prometheus: { enabled: true, maxEventAge: 0s }',
    extra,
  ].join('\n');
  const loaded = parseConfig(yaml, { env: {} });
  if (!loaded.ok) throw new Error(`test config invalid: ${JSON.stringify(loaded.problems)}`);
  return loaded.config;
}

/** Lines of an NDJSON file parsed, or [] when it does not exist yet. */
export async function readNdjson<T = Record<string, unknown>>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** Polls `probe` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function sample(exposition: string, series: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
