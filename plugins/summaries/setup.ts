import { configOption, type SetupCommand } from '../../src/plugin/capabilities.js';
import type { SummariesConfig } from './config.js';

/**
 * `gax setup postgres`: creates the schema and WSO2's aggregate tables (those and the
 * granularities the config keeps) with gax's positions and seen-events tables, reporting each as
 * created or existing; `--print` writes the SQL instead, for a DBA to run. Idempotent. Light:
 * `run` imports the code that connects.
 */
const setupPostgres: SetupCommand<SummariesConfig> = {
  name: 'postgres',
  description:
    "Create the summaries plugin's tables in PostgreSQL (when missing), or print their SQL; idempotent.",
  options: [
    configOption('daemon configuration: plugins.summaries (postgres, tables, granularities) is used'),
    {
      flags: '--url <url>',
      description: 'postgresql:// connection URL (overrides the config)',
      env: 'GAX_PG_URL',
    },
    { flags: '--print', description: 'print the SQL instead of running it (no connection)' },
  ],
  async run(context) {
    const opts = context.options as { url?: string; print?: boolean };
    if (opts.url !== undefined && !/^postgres(ql)?:\/\//.test(opts.url))
      throw context.usage(`--url must be a postgresql:// URL: ${opts.url}`);
    const section = await context.section();
    const config =
      opts.url === undefined ? section : { ...section, postgres: { ...section.postgres, url: opts.url } };
    const { printSchema, runSetupPostgres } = await import('./setup-tables.js');
    if (opts.print === true) return printSchema(config, context.io);
    return runSetupPostgres(config, context.io);
  },
};

export const summariesSetup = [setupPostgres] as const;
