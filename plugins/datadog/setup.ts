import { configOption, type SetupCommand } from '../../src/plugin/capabilities.js';
import { type DatadogConfig, datadogConfig } from './config.js';

/**
 * The Datadog plugin's `gax setup datadog`: the bundled dashboards and monitors, and the log
 * pipeline of `logs.format: wso2` (setup/log-pipeline.ts). Light: options
 * and flag checks only; `run` imports the Datadog client (about a second to load) only then.
 */

const PREFIX = new RegExp(datadogConfig.prefix.pattern ?? '');
const HTTP_URL = /^https?:\/\//;

const setupDatadog: SetupCommand<DatadogConfig> = {
  name: 'datadog',
  description:
    'Create or update the bundled Datadog dashboards and monitors, and with logs.format: wso2 the log pipeline (idempotent); print each result. Needs DD_APP_KEY.',
  options: [
    configOption('daemon configuration: plugins.datadog is used'),
    { flags: '--url <url>', description: 'Datadog API base URL (overrides plugins.datadog.url and site)' },
    {
      flags: '--prefix <prefix>',
      description: 'metric prefix the queries use (overrides plugins.datadog.prefix)',
    },
    {
      flags: '--print',
      description:
        'print the dashboards and monitors (and the log pipeline, facets and measures) as JSON and contact nothing',
    },
  ],
  async run(context) {
    const opts = context.options as { url?: string; prefix?: string; print?: boolean };
    if (opts.url !== undefined && !HTTP_URL.test(opts.url))
      throw context.usage(`--url must be an http(s) URL: ${opts.url}`);
    if (opts.prefix !== undefined && !PREFIX.test(opts.prefix))
      throw context.usage(`--prefix must be a letter, then letters, digits, _ and .: ${opts.prefix}`);
    const { withDdOverrides } = await import('./setup/section.js');
    const section = withDdOverrides(
      await context.section(),
      { url: opts.url, prefix: opts.prefix },
      context.env,
    );
    const { runSetupDatadog } = await import('./setup/dashboards.js');
    return runSetupDatadog(
      { section, appKey: context.env.DD_APP_KEY, print: opts.print === true },
      context.io,
    );
  },
};

/** `gax setup datadog`. */
export const datadogSetup: readonly SetupCommand<DatadogConfig>[] = [setupDatadog];
