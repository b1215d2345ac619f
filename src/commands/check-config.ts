import { stringify } from 'yaml';
import { EVENT_TYPES, indexBase } from '../../plugins/elasticsearch/templates.js';
import { type ConfigEnv, type ConfigProblem, loadConfig, redactConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { redactUrlCredentials } from '../telemetry/redact.js';
import { datadogLines, sampleEvents } from './datadog-cost.js';

export interface CheckConfigIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CheckConfigOptions {
  /** Print the effective configuration (defaults filled, secrets redacted) as YAML instead of a summary. */
  print?: boolean;
  /** A sample `apim_metrics.log`: estimate the Datadog custom metrics from its events. */
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
  const { datadog } = result.config.plugins;
  const sample =
    options.sample === undefined
      ? undefined
      : { path: options.sample, events: await sampleEvents(options.sample) };
  const ddLines = datadog.enabled || sample !== undefined ? datadogLines(datadog, sample) : [];
  io.stdout.write(`config OK: ${path}\n${summary(result.config)}${ddLines.join('')}`);
  return 0;
}

/** `config.yaml:3:11 inputs[0].from: must be one of: beginning, end [GAX_ERR_CONFIG_INVALID]`. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
  const what = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
  return `${where} ${what} [${problem.code}]`;
}

function summary(config: Config): string {
  const inputs = config.inputs.map((i) => `  input:   ${i.format} ${i.paths.join(', ')} (from ${i.from})\n`);
  const enabled = Object.entries(config.plugins)
    .filter(([, section]) => section?.enabled === true)
    .map(([name]) => name);
  const { server } = config;
  const address = server.enabled
    ? `http://${hostPort(server.host, server.port)} (/metrics, /healthz, /readyz)`
    : 'disabled';
  return [
    ...inputs,
    `  plugins: ${enabled.join(', ')}\n`,
    ...elasticsearchLine(config),
    `  server:  ${address}\n`,
    `  state:   ${config.state.dir}\n`,
  ].join('');
}

/** Where the Elasticsearch plugin writes, when it is enabled: what an operator checks first. */
function elasticsearchLine(config: Config): string[] {
  const es = config.plugins.elasticsearch;
  if (!es.enabled) return [];
  const target = es.cloudId === undefined ? redactUrlCredentials(es.node) : 'Elastic Cloud';
  const suffix = es.indexMode === 'daily' ? '-YYYY.MM.DD' : '';
  const kind = es.indexMode === 'dataStream' ? 'data streams' : 'indices';
  const names = EVENT_TYPES.map((t) => `${indexBase(es.indexPrefix, t)}${suffix}`).join(', ');
  return [`  elasticsearch: ${target} → ${kind} ${names}\n`];
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
