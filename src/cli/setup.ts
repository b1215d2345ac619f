import { type Command, Option } from 'commander';
import { DATADOG_PREFIX, emptyToUndefined, INDEX_PREFIX, usage } from './options.js';

/** `gax setup elasticsearch|kibana|datadog`, under `parent`; `done` receives the exit code. */
export function addSetupCommands(parent: Command, version: string, done: (code: number) => void): void {
  parent
    .command('elasticsearch')
    .description('Install (or update) the index templates the daemon writes with; idempotent.')
    .version(version, '-V, --version')
    .exitOverride()
    .option(
      '-c, --config <file>',
      'daemon configuration: plugins.elasticsearch is used',
      process.env.GAX_CONFIG,
    )
    .option('--node <url>', 'Elasticsearch URL (overrides the config)')
    .option('--index-prefix <prefix>', 'index prefix (overrides the config)')
    .addOption(
      new Option('--index-mode <mode>', 'index mode (overrides the config)').choices([
        'index',
        'daily',
        'dataStream',
      ]),
    )
    .option('--print', 'print the templates as JSON and contact nothing')
    .action(
      async (opts: {
        config?: string;
        node?: string;
        indexPrefix?: string;
        indexMode?: 'index' | 'daily' | 'dataStream';
        print?: boolean;
      }) => {
        if (opts.node !== undefined && !/^https?:\/\//.test(opts.node))
          throw usage('setup elasticsearch', `--node must be an http(s) URL: ${opts.node}`);
        if (opts.indexPrefix !== undefined && !INDEX_PREFIX.test(opts.indexPrefix))
          throw usage(
            'setup elasticsearch',
            `--index-prefix must be lowercase a-z, 0-9, _ . -: ${opts.indexPrefix}`,
          );
        const [{ esSection }, { runSetupElasticsearch }] = await Promise.all([
          import('../commands/setup-config.js'),
          import('../commands/setup-elasticsearch.js'),
        ]);
        const section = await esSection(emptyToUndefined(opts.config), opts);
        done(
          await runSetupElasticsearch(
            section,
            { stdout: process.stdout, stderr: process.stderr },
            { print: opts.print === true },
          ),
        );
      },
    );
  parent
    .command('kibana')
    .description(
      'Import the bundled Kibana data views and dashboards (overwrite: idempotent); print each result.',
    )
    .version(version, '-V, --version')
    .exitOverride()
    .requiredOption('--url <url>', 'Kibana base URL, e.g. http://kibana:5601', process.env.KIBANA_URL)
    .option('--space <id>', 'Kibana space to import into (default space when omitted)')
    .option(
      '-c, --config <file>',
      'daemon configuration: plugins.elasticsearch.indexPrefix titles the data views',
      process.env.GAX_CONFIG,
    )
    .option('--index-prefix <prefix>', 'index prefix the data views match (overrides the config)')
    .option('--file <ndjson>', 'import this file instead of the bundled one')
    .option('--ca-file <pem>', 'CA certificate(s) that sign Kibana’s certificate (https)')
    .option('--cert-file <pem>', 'client certificate, when Kibana wants one (with --key-file)')
    .option('--key-file <pem>', 'client certificate key (with --cert-file)')
    .option('--insecure', 'do not verify Kibana’s certificate (prefer --ca-file)')
    .action(
      async (opts: {
        url: string;
        space?: string;
        config?: string;
        indexPrefix?: string;
        file?: string;
        caFile?: string;
        certFile?: string;
        keyFile?: string;
        insecure?: boolean;
      }) => {
        if (!/^https?:\/\//.test(opts.url))
          throw usage('setup kibana', `--url must be an http(s) URL: ${opts.url}`);
        if ((opts.certFile === undefined) !== (opts.keyFile === undefined))
          throw usage('setup kibana', '--cert-file and --key-file go together');
        if (opts.insecure === true)
          process.stderr.write(
            'gax setup kibana: --insecure: Kibana’s certificate is not verified; the credentials can be read on the network path [GAX_ERR_TLS_INSECURE]\n',
          );
        if (opts.indexPrefix !== undefined && !INDEX_PREFIX.test(opts.indexPrefix))
          throw usage(
            'setup kibana',
            `--index-prefix must be lowercase a-z, 0-9, _ . -: ${opts.indexPrefix}`,
          );
        const [{ esSection }, { runSetupKibana }] = await Promise.all([
          import('../commands/setup-config.js'),
          import('../commands/setup-kibana.js'),
        ]);
        const section = await esSection(emptyToUndefined(opts.config), { indexPrefix: opts.indexPrefix });
        const authorization = kibanaAuthorization(process.env);
        done(
          await runSetupKibana(
            {
              url: opts.url,
              indexPrefix: section.indexPrefix,
              ...(opts.space === undefined ? {} : { space: opts.space }),
              ...(opts.file === undefined ? {} : { file: opts.file }),
              ...(authorization === undefined ? {} : { authorization }),
              ...(opts.caFile === undefined && opts.certFile === undefined && opts.insecure !== true
                ? {}
                : {
                    tls: {
                      rejectUnauthorized: opts.insecure !== true,
                      ...(opts.caFile === undefined ? {} : { caFile: opts.caFile }),
                      ...(opts.certFile === undefined ? {} : { certFile: opts.certFile }),
                      ...(opts.keyFile === undefined ? {} : { keyFile: opts.keyFile }),
                    },
                  }),
            },
            { stdout: process.stdout, stderr: process.stderr },
          ),
        );
      },
    );

  parent
    .command('datadog')
    .description(
      'Create or update the bundled Datadog dashboards and monitors (idempotent); print each result. Needs DD_APP_KEY.',
    )
    .version(version, '-V, --version')
    .exitOverride()
    .option('-c, --config <file>', 'daemon configuration: plugins.datadog is used', process.env.GAX_CONFIG)
    .option('--url <url>', 'Datadog API base URL (overrides plugins.datadog.url and site)')
    .option('--prefix <prefix>', 'metric prefix the queries use (overrides plugins.datadog.prefix)')
    .option('--print', 'print the dashboards and monitors as JSON and contact nothing')
    .action(async (opts: { config?: string; url?: string; prefix?: string; print?: boolean }) => {
      if (opts.url !== undefined && !/^https?:\/\//.test(opts.url))
        throw usage('setup datadog', `--url must be an http(s) URL: ${opts.url}`);
      if (opts.prefix !== undefined && !DATADOG_PREFIX.test(opts.prefix))
        throw usage(
          'setup datadog',
          `--prefix must be a letter, then letters, digits, _ and .: ${opts.prefix}`,
        );
      const { ddSection } = await import('../commands/datadog-section.js');
      const section = await ddSection(emptyToUndefined(opts.config), { url: opts.url, prefix: opts.prefix });
      // The Datadog client takes a second to load: only this command pays for it.
      const { runSetupDatadog } = await import('../commands/setup-datadog.js');
      done(
        await runSetupDatadog(
          { section, appKey: process.env.DD_APP_KEY, print: opts.print === true },
          { stdout: process.stdout, stderr: process.stderr },
        ),
      );
    });
}

/** Kibana credentials come from the environment, never the command line (shell history, ps). */
function kibanaAuthorization(env: NodeJS.ProcessEnv): string | undefined {
  if (env.KIBANA_API_KEY !== undefined && env.KIBANA_API_KEY !== '') return `ApiKey ${env.KIBANA_API_KEY}`;
  const user = env.KIBANA_USERNAME;
  if (user === undefined || user === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${env.KIBANA_PASSWORD ?? ''}`).toString('base64')}`;
}
