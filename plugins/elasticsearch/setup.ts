import { configOption, type SetupCommand, type SetupContext } from '../../src/plugin/capabilities.js';
import { tlsFromOptions, tlsOptions } from '../../src/plugin/setup-tls.js';
import { indexSetupOptions } from '../../src/search-index/setup-options.js';
import { type ElasticsearchConfig, elasticsearchConfig } from './config.js';

/**
 * The Elasticsearch plugin's `gax setup` subcommands: `elasticsearch` (index templates) and
 * `kibana` (data views and dashboards). Light: options and flag checks only; each `run` imports
 * the code that talks to the backend (plugins/elasticsearch/setup/).
 */

const INDEX_PREFIX = new RegExp(elasticsearchConfig.indexPrefix.pattern ?? '');
const HTTP_URL = /^https?:\/\//;

const setupElasticsearch: SetupCommand<ElasticsearchConfig> = {
  name: 'elasticsearch',
  description: 'Install (or update) the index templates the daemon writes with; idempotent.',
  options: indexSetupOptions({
    section: 'elasticsearch',
    node: 'Elasticsearch URL (overrides the config)',
    modes: ['index', 'daily', 'dataStream'],
    printed: 'the templates',
  }),
  async run(context) {
    const opts = context.options as {
      node?: string;
      indexPrefix?: string;
      indexMode?: ElasticsearchConfig['indexMode'];
      print?: boolean;
    };
    if (opts.node !== undefined && !HTTP_URL.test(opts.node))
      throw context.usage(`--node must be an http(s) URL: ${opts.node}`);
    checkIndexPrefix(context, opts.indexPrefix);
    const [{ withEsOverrides }, { runSetupElasticsearch }] = await Promise.all([
      import('./setup/section.js'),
      import('./setup/templates.js'),
    ]);
    const section = withEsOverrides(await context.section(), {
      node: opts.node,
      indexPrefix: opts.indexPrefix,
      indexMode: opts.indexMode,
    });
    return runSetupElasticsearch(section, context.io, { print: opts.print === true });
  },
};

const setupKibana: SetupCommand<ElasticsearchConfig> = {
  name: 'kibana',
  description:
    'Import the bundled Kibana data views and dashboards (overwrite: idempotent); print each result.',
  options: [
    {
      flags: '--url <url>',
      description: 'Kibana base URL, e.g. http://kibana:5601',
      env: 'KIBANA_URL',
      required: true,
    },
    { flags: '--space <id>', description: 'Kibana space to import into (default space when omitted)' },
    configOption('daemon configuration: plugins.elasticsearch.indexPrefix titles the data views'),
    {
      flags: '--index-prefix <prefix>',
      description: 'index prefix the data views match (overrides the config)',
    },
    { flags: '--file <ndjson>', description: 'import this file instead of the bundled one' },
    ...tlsOptions('Kibana’s'),
  ],
  async run(context) {
    const opts = context.options as {
      url: string;
      space?: string;
      indexPrefix?: string;
      file?: string;
    };
    if (!HTTP_URL.test(opts.url)) throw context.usage(`--url must be an http(s) URL: ${opts.url}`);
    const tls = tlsFromOptions(context, 'setup kibana', 'Kibana’s');
    checkIndexPrefix(context, opts.indexPrefix);
    const { runSetupKibana } = await import('./setup/kibana.js');
    const section = await context.section();
    const authorization = kibanaAuthorization(context.env);
    return runSetupKibana(
      {
        url: opts.url,
        indexPrefix: opts.indexPrefix ?? section.indexPrefix,
        ...(opts.space === undefined ? {} : { space: opts.space }),
        ...(opts.file === undefined ? {} : { file: opts.file }),
        ...(authorization === undefined ? {} : { authorization }),
        ...(tls === undefined ? {} : { tls }),
      },
      context.io,
    );
  },
};

/** `gax setup elasticsearch` and `gax setup kibana`. */
export const elasticsearchSetup: readonly SetupCommand<ElasticsearchConfig>[] = [
  setupElasticsearch,
  setupKibana,
];

function checkIndexPrefix(context: SetupContext<unknown>, prefix: string | undefined): void {
  if (prefix !== undefined && !INDEX_PREFIX.test(prefix))
    throw context.usage(`--index-prefix must be lowercase a-z, 0-9, _ . -: ${prefix}`);
}

/** Kibana credentials come from the environment, never the command line (shell history, ps). */
function kibanaAuthorization(env: NodeJS.ProcessEnv): string | undefined {
  if (env.KIBANA_API_KEY !== undefined && env.KIBANA_API_KEY !== '') return `ApiKey ${env.KIBANA_API_KEY}`;
  const user = env.KIBANA_USERNAME;
  if (user === undefined || user === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${env.KIBANA_PASSWORD ?? ''}`).toString('base64')}`;
}
