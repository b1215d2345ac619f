#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isGaxError } from './errors.js';
import { DEFAULT_MAX_LINE_BYTES } from './parsers/wso2-apim/parse.js';
import { packageVersion } from './version.js';

/**
 * argv → command → exit code. The only place that exits the process. Each command's module is
 * imported by its action: `gax parse` or `gax --version` must not load the Elasticsearch client,
 * ajv's compiled schemas and the rest (about 0.35 s and 55 MiB on Node 20).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const version = packageVersion();
  let code = 0;
  const program = new Command('gax')
    .description(
      'gateway-analytics-exporter: WSO2 API Manager analytics logs → Prometheus, Elasticsearch, Datadog',
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const command = (name: string, description: string): Command =>
    program.command(name).description(description).version(version, '-V, --version').exitOverride();

  command('run', 'Run the daemon: tail the configured logs and deliver events to the enabled plugins.')
    .requiredOption(
      '-c, --config <file>',
      'configuration file (YAML); SIGHUP reloads it',
      process.env.GAX_CONFIG,
    )
    .option('--watch-config', 'also reload the configuration when the file changes')
    .action(async (opts: { config: string; watchConfig?: boolean }) => {
      if (opts.config === '') throw usage('run', 'option --config <file> is empty');
      const [{ loadConfig }, { runCheckConfig }, { runDaemon }] = await Promise.all([
        import('./config/load.js'),
        import('./commands/check-config.js'),
        import('./commands/run.js'),
      ]);
      const loaded = await loadConfig(opts.config, process.env);
      if (!loaded.ok) {
        code = await runCheckConfig(
          opts.config,
          { stdout: process.stderr, stderr: process.stderr },
          process.env,
        );
        return;
      }
      const handle = await runDaemon(loaded.config, undefined, {
        reload: () => loadConfig(opts.config, process.env),
        ...(opts.watchConfig === true ? { watchPath: opts.config } : {}),
      }).catch(() => undefined);
      code = handle === undefined ? 1 : await handle.done;
    });

  command('check-config', 'Validate a configuration file; exit 0 when valid, 2 listing every problem.')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)', process.env.GAX_CONFIG)
    .option('--print', 'print the effective configuration with defaults filled and secrets redacted')
    .option(
      '--sample <log>',
      'estimate the Datadog custom metrics of this config from a sample apim_metrics.log',
    )
    .action(async (opts: { config: string; print?: boolean; sample?: string }) => {
      if (opts.config === '') throw usage('check-config', 'option --config <file> is empty');
      const { runCheckConfig } = await import('./commands/check-config.js');
      code = await runCheckConfig(
        opts.config,
        { stdout: process.stdout, stderr: process.stderr },
        process.env,
        {
          print: opts.print === true,
          ...(opts.sample === undefined ? {} : { sample: opts.sample }),
        },
      );
    });

  command('parse', 'Parse log files into canonical events: NDJSON on stdout, rejected lines on stderr.')
    .argument('<files...>', 'apim_metrics.log files')
    .addOption(
      new Option('--max-line-bytes <n>', 'reject lines longer than this')
        .default(DEFAULT_MAX_LINE_BYTES)
        .argParser(positiveInt),
    )
    .action(async (files: string[], opts: { maxLineBytes: number }) => {
      const { runParse } = await import('./commands/parse.js');
      code = await runParse(
        files,
        { stdout: process.stdout, stderr: process.stderr },
        { maxLineBytes: opts.maxLineBytes },
      );
    });

  command('demo', 'Run the daemon on a bundled sample log with simulated live traffic (no backend needed).')
    .option('--dir <dir>', 'working directory for the demo log, checkpoints and output', './data/demo')
    .option('--host <host>', 'HTTP server address', '127.0.0.1')
    .addOption(new Option('--port <port>', 'HTTP server port').default(9464).argParser(portNumber))
    .addOption(new Option('--rate <n>', 'simulated requests per second').default(20).argParser(positiveInt))
    .action(async (opts: { dir: string; host: string; port: number; rate: number }) => {
      const { runDemo } = await import('./commands/demo.js');
      code = await runDemo(opts);
    });

  command('replay', 'Send historic log files once through chosen plugins (backfill), with progress.')
    .argument('<logfiles...>', 'apim_metrics.log files, read whole (no tailing, no checkpoint)')
    .requiredOption(
      '-c, --config <file>',
      'configuration file (YAML): plugins and pipeline',
      process.env.GAX_CONFIG,
    )
    .option(
      '-p, --plugin <name>',
      'plugin to send to (repeat for several); default: the enabled plugins that can take history',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option('--progress-every <seconds>', 'seconds between progress lines when stdout is not a terminal')
        .default(10)
        .argParser(positiveSeconds),
    )
    .addOption(
      new Option(
        '--max-retry <duration>',
        'give up retrying and dead-letter after this long (30s, 5m)',
      ).argParser(duration),
    )
    .action(
      async (
        files: string[],
        opts: { config: string; plugin: string[]; progressEvery: number; maxRetry?: string },
      ) => {
        if (opts.config === '') throw usage('replay', 'option --config <file> is empty');
        const { runReplay } = await import('./commands/replay.js');
        code = await runReplay(
          {
            config: opts.config,
            files,
            plugins: opts.plugin,
            progressEvery: opts.progressEvery,
            ...(opts.maxRetry === undefined ? {} : { maxRetry: opts.maxRetry }),
          },
          { stdout: process.stdout, stderr: process.stderr },
        );
      },
    );

  const dlq = command('dlq', 'Dead letters: summarise them, and re-send them after a fix.');
  dlq
    .command('inspect')
    .description('Summarise the dead-letter file and its rotated files by stage, plugin, kind and reason.')
    .version(version, '-V, --version')
    .exitOverride()
    .option('-c, --config <file>', 'configuration file: pipeline.deadLetter.path', process.env.GAX_CONFIG)
    .option('--path <file>', 'the dead-letter file itself (instead of --config)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { config?: string; path?: string; json?: boolean }) => {
      const path = emptyToUndefined(opts.path);
      const config = emptyToUndefined(opts.config);
      if (path === undefined && config === undefined)
        throw usage('dlq inspect', 'give --config <file> or --path <dead-letter file>');
      const { runDlqInspect } = await import('./commands/dlq-inspect.js');
      code = await runDlqInspect(
        { ...(path === undefined ? { config } : { path }), json: opts.json === true },
        { stdout: process.stdout, stderr: process.stderr },
      );
    });
  dlq
    .command('replay')
    .description(
      "Re-send one plugin's pending dead letters through that plugin (after a fix); each is sent once.",
    )
    .version(version, '-V, --version')
    .exitOverride()
    .requiredOption('-c, --config <file>', 'configuration file (YAML)', process.env.GAX_CONFIG)
    .requiredOption('-p, --plugin <name>', 'the plugin whose dead letters to re-send')
    .option('--reason <text>', 'only records whose reason contains this text')
    .option('--since <time>', 'only records written since then: an ISO-8601 time or a duration back (2h)')
    .option('--reparse', 'also re-parse rejected lines with the current parser and send their events')
    .option('--dry-run', 'count what would be sent; send nothing')
    .addOption(
      new Option(
        '--max-retry <duration>',
        'give up retrying and dead-letter again after this long',
      ).argParser(duration),
    )
    .action(
      async (opts: {
        config: string;
        plugin: string;
        reason?: string;
        since?: string;
        reparse?: boolean;
        dryRun?: boolean;
        maxRetry?: string;
      }) => {
        if (opts.config === '') throw usage('dlq replay', 'option --config <file> is empty');
        const { runDlqReplay } = await import('./commands/dlq-replay.js');
        code = await runDlqReplay(
          {
            config: opts.config,
            plugin: opts.plugin,
            reparse: opts.reparse === true,
            dryRun: opts.dryRun === true,
            ...(opts.reason === undefined ? {} : { reason: opts.reason }),
            ...(opts.since === undefined ? {} : { since: opts.since }),
            ...(opts.maxRetry === undefined ? {} : { maxRetry: opts.maxRetry }),
          },
          { stdout: process.stdout, stderr: process.stderr },
        );
      },
    );

  const setup = command(
    'setup',
    'Install what the backends need: Elasticsearch templates, Kibana and Datadog dashboards.',
  );
  setup
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
          import('./commands/setup-config.js'),
          import('./commands/setup-elasticsearch.js'),
        ]);
        const section = await esSection(emptyToUndefined(opts.config), opts);
        code = await runSetupElasticsearch(
          section,
          { stdout: process.stdout, stderr: process.stderr },
          { print: opts.print === true },
        );
      },
    );
  setup
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
          import('./commands/setup-config.js'),
          import('./commands/setup-kibana.js'),
        ]);
        const section = await esSection(emptyToUndefined(opts.config), { indexPrefix: opts.indexPrefix });
        const authorization = kibanaAuthorization(process.env);
        code = await runSetupKibana(
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
        );
      },
    );

  setup
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
      const { ddSection } = await import('./commands/datadog-section.js');
      const section = await ddSection(emptyToUndefined(opts.config), { url: opts.url, prefix: opts.prefix });
      // The Datadog client takes a second to load: only this command pays for it.
      const { runSetupDatadog } = await import('./commands/setup-datadog.js');
      code = await runSetupDatadog(
        { section, appKey: process.env.DD_APP_KEY, print: opts.print === true },
        { stdout: process.stdout, stderr: process.stderr },
      );
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      return 2;
    }
    if (isGaxError(err)) {
      for (const detail of err.details) process.stderr.write(`${detail}\n`);
      process.stderr.write(`gax: ${err.message} [${err.code}]\n`);
      return err.code === 'GAX_ERR_CLI_USAGE' || err.code === 'GAX_ERR_CONFIG_INVALID' ? 2 : 1;
    }
    process.stderr.write(`gax: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function usage(command: string, message: string): CommanderError {
  process.stderr.write(`gax ${command}: ${message}\n`);
  return new CommanderError(2, 'gax.usage', message);
}

const INDEX_PREFIX = /^[a-z0-9][a-z0-9_.-]*$/;
/** `plugins.datadog.prefix`'s pattern. */
const DATADOG_PREFIX = /^[a-zA-Z][a-zA-Z0-9_.]*\.?$/;

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** Kibana credentials come from the environment, never the command line (shell history, ps). */
function kibanaAuthorization(env: NodeJS.ProcessEnv): string | undefined {
  if (env.KIBANA_API_KEY !== undefined && env.KIBANA_API_KEY !== '') return `ApiKey ${env.KIBANA_API_KEY}`;
  const user = env.KIBANA_USERNAME;
  if (user === undefined || user === '') return undefined;
  return `Basic ${Buffer.from(`${user}:${env.KIBANA_PASSWORD ?? ''}`).toString('base64')}`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return n;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1)
    throw new InvalidArgumentError(`not a number of seconds >= 0.1: ${value}`);
  return n;
}

function duration(value: string): string {
  if (!/^[0-9]+(ms|s|m|h|d)$/.test(value))
    throw new InvalidArgumentError(`not a duration such as 30s, 5m or 1h: ${value}`);
  return value;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`not a port number: ${value}`);
  return n;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Resolves once everything written so far to `stream` has been handed to the OS. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

if (isEntryPoint()) {
  // `gax … --print | head`: a reader that closed the pipe is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(process.argv.slice(2))
    .catch((err: unknown) => {
      process.stderr.write(`gax: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    })
    .then(async (code) => {
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      // Leave even if a handle (a watcher, a socket) lingers.
      process.exit(code);
    });
}
