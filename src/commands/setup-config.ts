import { Value } from '@sinclair/typebox/value';
import type { ElasticsearchConfig } from '../../plugins/elasticsearch/config.js';
import { ElasticsearchConfigSchema } from '../../plugins/elasticsearch/index.js';
import { type ConfigEnv, loadConfig } from '../config/load.js';
import { GaxError } from '../errors.js';
import { formatProblem } from './check-config.js';

/** Command-line overrides of the `plugins.elasticsearch` section. */
export interface EsOverrides {
  readonly node?: string;
  readonly indexPrefix?: string;
  readonly indexMode?: ElasticsearchConfig['indexMode'];
}

/**
 * The Elasticsearch section the setup commands use: from `--config` when given (the same file
 * the daemon runs with, so templates match what it writes), else the defaults; then the
 * command-line overrides.
 */
export async function esSection(
  configPath: string | undefined,
  overrides: EsOverrides,
  env: ConfigEnv = process.env,
): Promise<ElasticsearchConfig> {
  let section: ElasticsearchConfig;
  if (configPath === undefined) {
    section = Value.Default(ElasticsearchConfigSchema, {}) as ElasticsearchConfig;
  } else {
    const loaded = await loadConfig(configPath, env);
    if (!loaded.ok) {
      throw new GaxError('GAX_ERR_CONFIG_INVALID', `${configPath} is not a valid configuration`, {
        details: loaded.problems.map((p) => formatProblem(configPath, p)),
      });
    }
    section = loaded.config.plugins.elasticsearch;
  }
  return { ...section, ...definedOnly(overrides) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
