/**
 * The search-index backends of the bench (`services.ts` starts them): one real single-node
 * Elasticsearch 8 (test/helpers/elasticsearch.ts) and one OpenSearch 2 (test/helpers/opensearch.ts),
 * each a separate JVM run as user `gax-es`, so its CPU and memory are never counted in a measured
 * child. Both are driven the same way (REST by plain fetch): warmed up, reset between runs, given
 * the plugin's templates for a run's prefix.
 */
import { buildTemplates as elasticsearchTemplates } from '../../plugins/elasticsearch/templates.js';
import { osTemplates } from '../../plugins/opensearch/templates.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { findJavaHome, startElasticsearch } from '../../test/helpers/elasticsearch.js';
import { findOpenSearchJavaHome, startOpenSearch } from '../../test/helpers/opensearch.js';
import { searchJson } from '../../test/helpers/search-scenario.js';

/** The search-index backends, by the name of the plugin that writes to them. */
export type SearchBackend = 'elasticsearch' | 'opensearch';

/** A started node as the scenarios see it. */
export interface SearchIndexService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly version: string;
  /** Deletes every index and template an earlier run of the harness created (`<RUN_TAG_PREFIX>*`). */
  reset(): Promise<void>;
  /** Installs the plugin's templates for `prefix` (what the plugin itself does at start). */
  installTemplates(prefix: string): Promise<void>;
}

interface TemplateSet {
  readonly components: readonly { name: string; body: object }[];
  readonly indexTemplates: readonly { name: string; body: object }[];
}

/** What differs between the backends: the label, the node, the plugin's templates. */
interface BackendKind {
  readonly label: string;
  /** Throws when no fitting JDK is installed. */
  findJdk(): void;
  start(
    heapMb: number,
  ): Promise<{ url: string; version: string; pid: number | undefined; destroy(): Promise<void> }>;
  templates(prefix: string): TemplateSet;
}

const KINDS: Record<SearchBackend, BackendKind> = {
  elasticsearch: {
    label: 'Elasticsearch 8',
    findJdk: () => findJavaHome(8),
    start: (heapMb) => startElasticsearch({ major: 8, heapMb }),
    templates: (prefix) =>
      elasticsearchTemplates({
        indexPrefix: prefix,
        indexMode: 'index',
        templates: { install: true, numberOfReplicas: 0 },
      }),
  },
  opensearch: {
    label: 'OpenSearch 2',
    findJdk: () => findOpenSearchJavaHome(2),
    start: (heapMb) => startOpenSearch({ major: 2, heapMb }),
    templates: (prefix) =>
      osTemplates({ indexPrefix: prefix, templates: { install: true, numberOfReplicas: 0 } }),
  },
};

/** Why this machine cannot run the `backend` scenarios, or undefined. */
export function searchBackendUnavailable(backend: SearchBackend): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the node runs as user gax-es via runuser)';
  try {
    KINDS[backend].findJdk();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Starts the `backend` node (heap 1 GiB, 512 MiB with `--quick`), warms it up and returns it as a
 * service, with the node's `destroy` (by PID) for the harness's close.
 */
export async function startSearchService(
  backend: SearchBackend,
  options: { quick: boolean; log: (message: string) => void; runTagPrefix: string },
): Promise<{ service: SearchIndexService; destroy(): Promise<void> }> {
  const kind = KINDS[backend];
  options.log(`starting ${kind.label} (once for this run)`);
  const node = await kind.start(options.quick ? 512 : 1024);
  try {
    options.log(`${kind.label} ${node.version} at ${node.url}, pid ${String(node.pid)}; warming it up`);
    await warmUp(node.url, `${options.runTagPrefix}warmup`);
  } catch (err) {
    await node.destroy();
    throw err;
  }
  const { url, version } = node;
  const all = `${options.runTagPrefix}*`;
  const service: SearchIndexService = {
    url,
    version,
    reset: async () => {
      await searchJson(
        url,
        'DELETE',
        `/${all}?expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true`,
      );
      await searchJson(url, 'DELETE', `/_index_template/${all}`);
      await searchJson(url, 'DELETE', `/_component_template/${all}`);
    },
    installTemplates: async (prefix) => {
      const { components, indexTemplates } = kind.templates(prefix);
      for (const t of components) await searchJson(url, 'PUT', `/_component_template/${t.name}`, t.body);
      for (const t of indexTemplates) await searchJson(url, 'PUT', `/_index_template/${t.name}`, t.body);
    },
  };
  return { service, destroy: () => node.destroy() };
}

/**
 * A fresh JVM indexes several times slower than a warm one: 20 bulk requests of 1,000 generated
 * events (as the bulk baselines write them) into `index`, deleted by the first reset.
 */
async function warmUp(url: string, index: string): Promise<void> {
  const generator = createGenerator({ seed: 99 });
  for (let request = 0; request < 20; request++) {
    let body = '';
    for (let i = 0; i < 1000; i++) {
      const line = generator.next();
      const json = line.slice(line.indexOf('{', line.indexOf('properties')));
      body += `{"index":{"_index":"${index}"}}\n${json}\n`;
    }
    const response = await fetch(`${url}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    if (!response.ok) throw new Error(`warm-up bulk: ${response.status} ${await response.text()}`);
  }
}
