import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import type { DatadogConfig } from '../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../plugins/datadog/index.js';
import { type ConfigEnv, loadConfig } from '../config/load.js';
import { GaxError } from '../errors.js';
import { formatProblem } from './check-config.js';

/** Command-line overrides of the `plugins.datadog` section. */
export interface DdOverrides {
  readonly url?: string;
  readonly prefix?: string;
}

/**
 * The Datadog section `gax setup datadog` uses: from `--config` when given (the file the daemon
 * runs with, so the dashboards query the prefix it sends), else the defaults; the API key from
 * `DD_API_KEY` when the section has neither `apiKey` nor `apiKeyFile`; then the command-line
 * overrides.
 */
export async function ddSection(
  configPath: string | undefined,
  overrides: DdOverrides,
  env: ConfigEnv = process.env,
): Promise<DatadogConfig> {
  let section: DatadogConfig;
  if (configPath === undefined) {
    section = Value.Default(DatadogConfigSchema, {}) as DatadogConfig;
  } else {
    const loaded = await loadConfig(configPath, env);
    if (!loaded.ok) {
      throw new GaxError('GAX_ERR_CONFIG_INVALID', `${configPath} is not a valid configuration`, {
        details: loaded.problems.map((p) => formatProblem(configPath, p)),
      });
    }
    section = loaded.config.plugins.datadog;
  }
  const noKey = section.apiKey === '' && section.apiKeyFile === undefined;
  return {
    ...section,
    ...(noKey ? { apiKey: env.DD_API_KEY ?? '' } : {}),
    ...(overrides.url === undefined ? {} : { url: overrides.url }),
    ...(overrides.prefix === undefined ? {} : { prefix: overrides.prefix }),
  };
}

/** The API key: the content of `apiKeyFile` when set, else `apiKey`; trimmed; '' when neither. */
export async function ddApiKey(section: DatadogConfig): Promise<string> {
  if (section.apiKeyFile === undefined) return section.apiKey.trim();
  try {
    return (await readFile(section.apiKeyFile, 'utf8')).trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`cannot read plugins.datadog.apiKeyFile ${section.apiKeyFile} (${reason})`);
  }
}
