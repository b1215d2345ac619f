import { type Command, Option } from 'commander';
import { duration, emptyToUndefined, usage } from './options.js';

/** `gax dlq inspect` and `gax dlq replay`, under `parent`; `done` receives the exit code. */
export function addDlqCommands(parent: Command, version: string, done: (code: number) => void): void {
  parent
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
      const { runDlqInspect } = await import('../commands/dlq-inspect.js');
      done(
        await runDlqInspect(
          { ...(path === undefined ? { config } : { path }), json: opts.json === true },
          { stdout: process.stdout, stderr: process.stderr },
        ),
      );
    });
  parent
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
        const { runDlqReplay } = await import('../commands/dlq-replay.js');
        done(
          await runDlqReplay(
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
          ),
        );
      },
    );
}
