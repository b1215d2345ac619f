import { stringify } from 'yaml';
import { type ConfigEnv, type ConfigProblem, loadConfig, redactConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { enabledPlugins } from '../config/sections.js';
import type { EventSample } from '../plugin/capabilities.js';
import { pluginLines } from './plugin-lines.js';
import { sampleEvents } from './sample-events.js';

export interface CheckConfigIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CheckConfigOptions {
  /** Print the effective configuration (defaults filled, secrets redacted) as YAML instead of a summary. */
  print?: boolean;
  /** A sample log of the configured input format: plugins with a `cost` estimate from its events. */
  sample?: string;
}

/**
 * `gax check-config <file>`: 0 when the file loads (a summary, or the effective YAML with `print`),
 * 2 with every problem on stderr, one per line: `<file>:<line>:<col> <path>: <message> [<code>]`.
 * `env` supplies `${VAR}` substitutions (`process.env` by default).
 */
export async function runCheckConfig(
  path: string,
  io: CheckConfigIo,
  env: ConfigEnv = process.env,
  options: CheckConfigOptions = {},
): Promise<0 | 2> {
  const result = await loadConfig(path, env);
  if (!result.ok) {
    for (const problem of result.problems) io.stderr.write(`${formatProblem(path, problem)}\n`);
    const count = result.problems.length;
    io.stderr.write(`${count} problem${count === 1 ? '' : 's'} in ${path}\n`);
    return 2;
  }
  for (const warning of result.warnings) io.stderr.write(`warning: ${formatProblem(path, warning)}\n`);
  if (options.print === true) {
    const header = `# Effective configuration of ${path}: defaults filled, paths resolved, secrets redacted.\n`;
    io.stdout.write(header + stringify(redactConfig(result.config), { lineWidth: 0 }));
    return 0;
  }
  const sample =
    options.sample === undefined
      ? undefined
      : { path: options.sample, events: await sampleEvents(result.config, options.sample) };
  io.stdout.write(`config OK: ${path}\n${summary(result.config, sample)}`);
  return 0;
}

/** `config.yaml:3:11 inputs[0].from: must be one of: beginning, end [<code>]`. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
  const what = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
  return `${where} ${what} [${problem.code}]`;
}

function summary(config: Config, sample: EventSample | undefined): string {
  const inputs = config.inputs.map((i) => `  input:   ${i.format} ${i.paths.join(', ')} (from ${i.from})\n`);
  const { server } = config;
  const address = server.enabled
    ? `http://${hostPort(server.host, server.port)} (/metrics, /healthz, /readyz)`
    : 'disabled';
  return [
    ...inputs,
    `  plugins: ${enabledPlugins(config).join(', ')}\n`,
    ...pluginLines(config, sample).map((line) => `${line}\n`),
    `  server:  ${address}\n`,
    `  state:   ${config.state.dir}\n`,
  ].join('');
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
