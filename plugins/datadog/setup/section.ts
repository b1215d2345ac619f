import { readFile } from 'node:fs/promises';
import type { DatadogConfig } from '../config.js';

/** Command-line overrides of a Datadog section (`gax setup datadog`). */
export interface DdOverrides {
  readonly url?: string | undefined;
  readonly prefix?: string | undefined;
}

/**
 * The Datadog section `gax setup datadog` uses: `section` (from `--config`, so the dashboards
 * query the prefix the daemon sends, or the defaults), with the API key from `DD_API_KEY` when the
 * section has neither `apiKey` nor `apiKeyFile`, then the command-line overrides.
 */
export function withDdOverrides(
  section: DatadogConfig,
  overrides: DdOverrides,
  env: NodeJS.ProcessEnv = process.env,
): DatadogConfig {
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
