import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseConfig } from '../config/load.js';
import type { FormatDefinition, FormatDemo } from '../parsers/format.js';
import { formats } from '../parsers/index.js';
import { createLogger } from '../telemetry/logger.js';
import { packageRoot } from '../version.js';
import { runDaemon } from './run.js';

export interface DemoOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly rate: number;
}

type DemoFormat = FormatDefinition & { readonly demo: FormatDemo };

/** The format the demo runs on: the first in `formats` with a `demo` (WSO2 API-M's). */
export function demoFormat(): DemoFormat {
  const all: readonly FormatDefinition[] = formats;
  for (const format of all) {
    const { demo } = format;
    if (demo !== undefined) return { ...format, demo };
  }
  throw new Error('no input format in src/parsers/index.ts has a demo');
}

/** The embedded default configuration of the demo: the sample log, the file and Prometheus plugins. */
export function demoConfigYaml(options: DemoOptions, format: DemoFormat = demoFormat()): string {
  const dir = resolve(options.dir);
  const q = (value: string): string => JSON.stringify(value);
  return [
    'inputs:',
    `  - format: ${format.name}`,
    `    paths: [${q(join(dir, 'logs', format.demo.glob))}]`,
    '    from: beginning',
    '    pollIntervalMs: 100',
    'state:',
    `  dir: ${q(join(dir, 'state'))}`,
    'server:',
    `  host: ${q(options.host)}`,
    `  port: ${options.port}`,
    'plugins:',
    // Bounded like everything gax writes: ≤ 30 MiB of events, and the simulated log below keeps 3 rolled files.
    `  file: { enabled: true, path: ${q(join(dir, 'events.ndjson'))}, maxBytes: 10485760, maxFiles: 2 }`,
    '  prometheus: { enabled: true }',
    '',
  ].join('\n');
}

/**
 * `npm start`: copies the demo format's bundled sample log into `dir`, appends simulated traffic
 * to it (rotated as the gateway's logger does) and runs the daemon on it until Ctrl-C.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const format = demoFormat();
  const dir = resolve(options.dir);
  const logDir = join(dir, 'logs');
  const logPath = join(logDir, format.demo.fileName);
  await mkdir(logDir, { recursive: true });
  const exists = await stat(logPath).then(
    () => true,
    () => false,
  );
  if (!exists) await copyFile(join(packageRoot(), format.demo.sampleLog), logPath);

  const loaded = parseConfig(demoConfigYaml(options, format), { env: process.env });
  if (!loaded.ok) {
    for (const p of loaded.problems) process.stderr.write(`demo config: ${p.path}: ${p.message}\n`);
    return 2;
  }
  const logger = createLogger(loaded.config.log);
  const handle = await runDaemon(loaded.config, logger).catch(() => undefined);
  if (handle === undefined) return 1;
  const url = handle.daemon.url ?? `http://${options.host}:${options.port}`;
  logger.info(
    { metrics: `${url}/metrics`, ready: `${url}/readyz`, log: logPath, rate: options.rate },
    'Demo running: simulated traffic is appended to the log. Press Ctrl-C to stop.',
  );
  const stopSimulator = new AbortController();
  const simulator = format.demo.simulate({
    path: logPath,
    ratePerSecond: options.rate,
    signal: stopSimulator.signal,
    rotateEveryLines: 5000,
    keepRotated: 3,
  });
  const code = await handle.done;
  stopSimulator.abort();
  await simulator;
  return code;
}
