#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { addDlqCommands } from './cli/dlq.js';
import { duration, portNumber, positiveInt, positiveSeconds, usage } from './cli/options.js';
import { addSetupCommands } from './cli/setup.js';
import { watchEarlyStop } from './commands/early-stop.js';
import { isGaxError, renderGaxError } from './errors.js';
import { formats } from './parsers/index.js';
import { pluginTypes } from './plugin/registry.js';
import { packageVersion } from './version.js';

/**
 * argv → command → exit code. The only place that exits the process. Each command's module is
 * imported by its action: `gax parse` or `gax --version` must not load the Elasticsearch client,
 * ajv's compiled schemas and the rest (about 0.35 s and 55 MiB on Node 20).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const version = packageVersion();
  let code = 0;
  const setCode = (n: number): void => {
    code = n;
  };
  const program = new Command('gax')
    .description(
      `gateway-analytics-exporter: API gateway analytics logs (${formats.map((f) => f.name).join(', ')}) → ${pluginTypes.join(', ')}`,
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
      const early = watchEarlyStop();
      const [{ loadConfig }, { runCheckConfig }, { runDaemon }] = await Promise.all([
        import('./config/load.js'),
        import('./commands/check-config.js'),
        import('./commands/run.js'),
      ]);
      const loaded = await loadConfig(opts.config, process.env);
      if (!loaded.ok) {
        early.dispose();
        code = await runCheckConfig(
          opts.config,
          { stdout: process.stderr, stderr: process.stderr },
          process.env,
        );
        return;
      }
      const handle = await runDaemon(loaded.config, undefined, {
        reload: () => loadConfig(opts.config, process.env),
        warnings: loaded.warnings,
        earlyStop: early,
        ...(opts.watchConfig === true ? { watchPath: opts.config } : {}),
      }).catch(() => undefined);
      early.dispose();
      if (handle === undefined) code = early.received() === undefined ? 1 : 130;
      else code = await handle.done;
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
    .argument('<files...>', 'log files of one input format (default wso2-apim: apim_metrics.log)')
    .addOption(
      new Option('--format <name>', 'input format of the files')
        .choices(formats.map((f) => f.name))
        .default(formats[0].name),
    )
    .addOption(
      new Option(
        '--max-line-bytes <n>',
        `reject lines longer than this (default: the format's, ${formats.map((f) => `${f.name} ${f.maxLineBytes}`).join(', ')})`,
      ).argParser(positiveInt),
    )
    .option(
      '--host-name <name>',
      'host.name of every event (default: none; the files may come from any node)',
    )
    .addHelpText('after', () => formatsHelp())
    .action(async (files: string[], opts: { format: string; maxLineBytes?: number; hostName?: string }) => {
      const { runParse } = await import('./commands/parse.js');
      code = await runParse(
        files,
        { stdout: process.stdout, stderr: process.stderr },
        {
          format: opts.format,
          ...(opts.maxLineBytes === undefined ? {} : { maxLineBytes: opts.maxLineBytes }),
          ...(opts.hostName === undefined ? {} : { hostName: opts.hostName }),
        },
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
    .addOption(
      new Option('--format <name>', "input format of the files (default: the configured inputs')").choices(
        formats.map((f) => f.name),
      ),
    )
    .option(
      '--host-name <name>',
      'host.name of every event (default: none; the files may come from any node)',
    )
    .action(
      async (
        files: string[],
        opts: {
          config: string;
          plugin: string[];
          progressEvery: number;
          maxRetry?: string;
          format?: string;
          hostName?: string;
        },
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
            ...(opts.format === undefined ? {} : { format: opts.format }),
            ...(opts.hostName === undefined ? {} : { hostName: opts.hostName }),
          },
          { stdout: process.stdout, stderr: process.stderr },
        );
      },
    );

  addDlqCommands(
    command('dlq', 'Dead letters: summarise them, and re-send them after a fix.'),
    version,
    setCode,
  );

  const setup = command(
    'setup',
    'Install what the backends need (index templates, dashboards, …): one subcommand per plugin that has setup.',
  );
  addSetupCommands(setup, version, setCode);

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
    // Every command error that carries a code ends here: commands throw, this renders.
    if (isGaxError(err)) {
      process.stderr.write(renderGaxError(err));
      return err.exitCode;
    }
    process.stderr.write(`gax: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** `gax parse --help`'s list of input formats, each with its shortest sample line. */
function formatsHelp(): string {
  const lines = ['', 'Input formats (--format):'];
  for (const f of formats) {
    const sample = [...f.samples].sort((a, b) => a.length - b.length)[0] ?? '';
    lines.push(`  ${f.name}  ${f.summary}; a line:`, `    ${sample}`);
  }
  return lines.join('\n');
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
