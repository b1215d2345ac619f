import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { plugins } from '../../../plugins/index.js';
import { addSetupCommands } from '../../../src/cli/setup.js';

/** The `gax setup` command with its subcommands, as src/cli.ts builds it. */
function setupCommand(): Command {
  const parent = new Command('setup');
  addSetupCommands(parent, '0.0.0', () => {});
  return parent;
}

describe('gax setup subcommands', () => {
  it('are the setup capabilities of the plugins in the composition root, in its order', () => {
    const declared = plugins.flatMap((p) => (p.setup ?? []).map((s) => s.name));
    expect(declared).toEqual([
      'elasticsearch',
      'kibana',
      'opensearch',
      'opensearch-dashboards',
      'datadog',
      'kafka',
      'postgres',
    ]);
    expect(setupCommand().commands.map((c) => c.name())).toEqual(declared);
  });

  it('keep each plugin’s options in its order and add --instance after them', () => {
    const byName = new Map(setupCommand().commands.map((c) => [c.name(), c]));
    for (const definition of plugins) {
      for (const setup of definition.setup ?? []) {
        const flags = byName.get(setup.name)?.options.map((o) => o.flags);
        expect(flags).toEqual(['-V, --version', ...setup.options.map((o) => o.flags), '--instance <id>']);
      }
    }
    const kibana = byName.get('kibana')?.options.find((o) => o.long === '--url');
    expect(kibana?.mandatory).toBe(true);
    const mode = byName.get('elasticsearch')?.options.find((o) => o.long === '--index-mode');
    expect(mode?.argChoices).toEqual(['index', 'daily', 'dataStream']);
    const osMode = byName.get('opensearch')?.options.find((o) => o.long === '--index-mode');
    expect(osMode?.argChoices).toEqual(['daily', 'index', 'dataStream']);
  });
});
