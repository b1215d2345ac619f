import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Generator } from '../../src/sim/generate.js';
import { freePort } from '../../test/helpers/prometheus.js';

/** `gax run` as its own process with one plugin, on a generated log, for the backend benches. */
export interface GaxProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  /** The daemon's own delivered count for the plugin (from /metrics: costs the backend nothing). */
  delivered(): Promise<number>;
  /** Resident set size of the daemon process, MiB. */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Writes `lines` lines of `generator` to `<dir>/logs/apim_metrics.log` and starts the built CLI
 * on it with only `plugin` enabled (its YAML section given as `pluginYaml`), HTTP on a free port.
 */
export async function startGax(options: {
  dir: string;
  generator: Generator;
  lines: number;
  plugin: string;
  pluginYaml: string;
}): Promise<GaxProcess> {
  const { dir, generator, lines, plugin, pluginYaml } = options;
  const logPath = join(dir, 'logs', 'apim_metrics.log');
  await mkdir(join(dir, 'logs'), { recursive: true });
  let text = '';
  for (let i = 0; i < lines; i++) text += `${generator.next()}\n`;
  await writeFile(logPath, text);
  text = '';
  const port = await freePort();
  const configPath = join(dir, 'gax.yaml');
  await writeFile(
    configPath,
    [
      'inputs:',
      `  - paths: [${JSON.stringify(logPath)}]`,
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      `server: { host: 127.0.0.1, port: ${port} }`,
      'log: { level: warn, format: json }',
      'plugins:',
      '  file: { enabled: false }',
      '  prometheus: { enabled: false }',
      `  ${plugin}: ${pluginYaml}`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['dist/src/cli.js', 'run', '--config', configPath], {
    stdio: 'inherit',
  });
  const pid = child.pid as number;
  const series = new RegExp(`^gax_events_delivered_total\\{plugin="${plugin}"\\} (\\d+)`, 'm');
  return {
    child,
    pid,
    logPath,
    delivered: async () => {
      const body = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      return Number(series.exec(body)?.[1] ?? 0);
    },
    rssMiB: async () => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      return Math.round((Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024) * 10) / 10;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
