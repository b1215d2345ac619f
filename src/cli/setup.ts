import { type Command, Option } from 'commander';
import { GaxError, renderGaxError } from '../errors.js';
import type { SetupCommand, SetupContext, SetupOption } from '../plugin/capabilities.js';
import type { PluginDefinition } from '../plugin/define.js';
import { instanceType, pluginDefinition, pluginTypes } from '../plugin/registry.js';
import { emptyToUndefined, usage } from './options.js';

/**
 * `gax setup <name>`, one subcommand per `setup` capability of the plugins in the composition root
 * (plugins/index.ts), in its order, under `parent`; `done` receives the exit code. Each has the
 * plugin's options plus `--instance <id>`, which picks the section of a named instance
 * (`elasticsearch/archive`) in `--config`; by default the plugin type's own section.
 */
export function addSetupCommands(parent: Command, version: string, done: (code: number) => void): void {
  for (const type of pluginTypes) {
    const definition = pluginDefinition(type);
    for (const setup of definition.setup ?? []) addSetupCommand(parent, version, definition, setup, done);
  }
}

function addSetupCommand(
  parent: Command,
  version: string,
  definition: PluginDefinition,
  setup: SetupCommand<unknown>,
  done: (code: number) => void,
): void {
  const name = `setup ${setup.name}`;
  const command = parent
    .command(setup.name)
    .description(setup.description)
    .version(version, '-V, --version')
    .exitOverride();
  for (const option of setup.options) command.addOption(commanderOption(option));
  command.option(
    '--instance <id>',
    `plugin instance whose section of --config is used: ${definition.type} (default) or ${definition.type}/<name>`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    const configPath = emptyToUndefined(opts.config as string | undefined);
    const instance = (opts.instance as string | undefined) ?? definition.type;
    if (instanceType(instance) !== definition.type)
      throw usage(name, `--instance must be ${definition.type} or ${definition.type}/<name>: ${instance}`);
    if (instance !== definition.type && configPath === undefined)
      throw usage(name, `--instance ${instance} needs --config <file>, where its section is`);
    const context: SetupContext<unknown> = {
      options: opts,
      instance,
      section: () => instanceSection(definition, instance, configPath, name),
      io: { stdout: process.stdout, stderr: process.stderr },
      env: process.env,
      usage: (message) => usage(name, message),
      warn: (warning) => {
        process.stderr.write(renderGaxError(warning));
      },
    };
    done(await setup.run(context));
  });
}

function commanderOption(option: SetupOption): Option {
  const made = new Option(option.flags, option.description);
  if (option.choices !== undefined) made.choices(option.choices);
  const fallback = option.env === undefined ? undefined : process.env[option.env];
  if (fallback !== undefined) made.default(fallback);
  if (option.required === true) made.makeOptionMandatory();
  return made;
}

/** The section of `instance` in the config file, or the type's defaults without a file. */
async function instanceSection(
  definition: PluginDefinition,
  instance: string,
  configPath: string | undefined,
  command: string,
): Promise<unknown> {
  const [{ defaultSection }, { loadCommandConfig }, { pluginSection, pluginSections }] = await Promise.all([
    import('../plugin/default-section.js'),
    import('../commands/command-config.js'),
    import('../config/sections.js'),
  ]);
  if (configPath === undefined) return defaultSection(definition);
  const config = await loadCommandConfig(configPath);
  const section = pluginSection(config, instance);
  if (section !== undefined) return section;
  const ofType = pluginSections(config)
    .map(([id]) => id)
    .filter((id) => instanceType(id) === definition.type);
  throw new GaxError(
    'GAX_ERR_CLI_USAGE',
    `${configPath} has no section plugins.${instance} (it has: ${ofType.join(', ')})`,
    {
      command,
    },
  );
}
