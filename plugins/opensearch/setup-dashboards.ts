import { configOption, type SetupCommand } from '../../src/plugin/capabilities.js';
import { tlsFromOptions, tlsOptions } from '../../src/plugin/setup-tls.js';
import { type OpenSearchConfig, opensearchConfig } from './config.js';

/**
 * `gax setup opensearch-dashboards`: imports the bundled OpenSearch Dashboards objects
 * (dashboards/opensearch/). Light: options and flag checks only; `run` imports the code that
 * talks to OpenSearch Dashboards (setup/dashboards.ts).
 */

const PREFIX = new RegExp(opensearchConfig.indexPrefix.pattern ?? '');
const HTTP_URL = /^https?:\/\//;
/** The security plugin's tenant names: `global`, `private`, `__user__` or a custom tenant. */
const TENANT = /^[\w.-]+$/;

export const setupOpenSearchDashboards: SetupCommand<OpenSearchConfig> = {
  name: 'opensearch-dashboards',
  description:
    'Import the bundled OpenSearch Dashboards index patterns and dashboards (overwrite: idempotent); print each result.',
  options: [
    {
      flags: '--url <url>',
      description: 'OpenSearch Dashboards base URL, e.g. https://dashboards:5601',
      env: 'OPENSEARCH_DASHBOARDS_URL',
      required: true,
    },
    {
      flags: '--tenant <name>',
      description: 'security plugin tenant to import into (global, private or a custom tenant)',
    },
    configOption('daemon configuration: plugins.opensearch.indexPrefix titles the index patterns'),
    {
      flags: '--index-prefix <prefix>',
      description: 'index prefix the index patterns match (overrides the config)',
    },
    { flags: '--file <ndjson>', description: 'import this file instead of the bundled one' },
    ...tlsOptions('the server’s'),
  ],
  async run(context) {
    const opts = context.options as {
      url: string;
      tenant?: string;
      indexPrefix?: string;
      file?: string;
    };
    if (!HTTP_URL.test(opts.url)) throw context.usage(`--url must be an http(s) URL: ${opts.url}`);
    const tls = tlsFromOptions(context, 'setup opensearch-dashboards', 'the server’s');
    if (opts.tenant !== undefined && !TENANT.test(opts.tenant))
      throw context.usage(`--tenant must be a tenant name (letters, digits, _ . -): ${opts.tenant}`);
    if (opts.indexPrefix !== undefined && !PREFIX.test(opts.indexPrefix))
      throw context.usage(`--index-prefix must be lowercase a-z, 0-9, _ . -: ${opts.indexPrefix}`);
    const { runSetupOpenSearchDashboards } = await import('./setup/dashboards.js');
    const section = await context.section();
    const authorization = dashboardsAuthorization(context.env);
    return runSetupOpenSearchDashboards(
      {
        url: opts.url,
        indexPrefix: opts.indexPrefix ?? section.indexPrefix,
        ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
        ...(opts.file === undefined ? {} : { file: opts.file }),
        ...(authorization === undefined ? {} : { authorization }),
        ...(tls === undefined ? {} : { tls }),
      },
      context.io,
    );
  },
};

/** Credentials come from the environment, never the command line (shell history, ps). */
function dashboardsAuthorization(env: NodeJS.ProcessEnv): string | undefined {
  const user = env.OPENSEARCH_DASHBOARDS_USERNAME;
  if (user === undefined || user === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${env.OPENSEARCH_DASHBOARDS_PASSWORD ?? ''}`).toString('base64')}`;
}
