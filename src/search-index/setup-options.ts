import { configOption, type SetupOption } from '../plugin/capabilities.js';

/** What differs between the template setup commands of the search-engine plugins. */
export interface IndexSetupOptions {
  /** The config section: `elasticsearch`, `opensearch`. */
  readonly section: string;
  /** `--node`'s description. */
  readonly node: string;
  /** The index modes `--index-mode` takes. */
  readonly modes: readonly string[];
  /** What `--print` prints: `the templates`. */
  readonly printed: string;
}

/** The options of `gax setup elasticsearch` and `gax setup opensearch`, in help order. */
export function indexSetupOptions(o: IndexSetupOptions): SetupOption[] {
  return [
    configOption(`daemon configuration: plugins.${o.section} is used`),
    { flags: '--node <url>', description: o.node },
    { flags: '--index-prefix <prefix>', description: 'index prefix (overrides the config)' },
    { flags: '--index-mode <mode>', description: 'index mode (overrides the config)', choices: [...o.modes] },
    { flags: '--print', description: `print ${o.printed} as JSON and contact nothing` },
  ];
}
