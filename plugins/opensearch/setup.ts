import type { SetupCommand } from '../../src/plugin/capabilities.js';
import { indexSetupOptions } from '../../src/search-index/setup-options.js';
import { type OpenSearchConfig, opensearchConfig } from './config.js';
import { setupOpenSearchDashboards } from './setup-dashboards.js';

/**
 * The OpenSearch plugin's `gax setup` subcommands. Light: options and flag checks only; `run`
 * imports the code that talks to OpenSearch (setup/run.ts).
 */

const PREFIX = new RegExp(opensearchConfig.indexPrefix.pattern ?? '');

const setupOpenSearch: SetupCommand<OpenSearchConfig> = {
  name: 'opensearch',
  description:
    'Install (or update) the index templates and the ISM policy the daemon writes with; idempotent.',
  options: indexSetupOptions({
    section: 'opensearch',
    node: 'OpenSearch URL (overrides the config, and its nodes)',
    modes: ['daily', 'index', 'dataStream'],
    printed: 'the templates and ISM policy',
  }),
  async run(context) {
    const { node, indexPrefix, indexMode, print } = context.options as {
      node?: string;
      indexPrefix?: string;
      indexMode?: OpenSearchConfig['indexMode'];
      print?: boolean;
    };
    if (node !== undefined && !/^https?:\/\//.test(node))
      throw context.usage(`--node must be an http(s) URL: ${node}`);
    if (indexPrefix !== undefined && !PREFIX.test(indexPrefix))
      throw context.usage(`--index-prefix must be lowercase a-z, 0-9, _ . -: ${indexPrefix}`);
    const { runSetupOpenSearch } = await import('./setup/run.js');
    const section = await context.section();
    const overridden: OpenSearchConfig = {
      ...section,
      ...(node === undefined ? {} : { node, nodes: undefined }),
      ...(indexPrefix === undefined ? {} : { indexPrefix }),
      ...(indexMode === undefined ? {} : { indexMode }),
    };
    return runSetupOpenSearch(overridden, context.io, { print: print === true });
  },
};

/** `gax setup opensearch` (and the OpenSearch Dashboards import, added beside it). */
export const opensearchSetup: readonly SetupCommand<OpenSearchConfig>[] = [
  setupOpenSearch,
  setupOpenSearchDashboards,
];
