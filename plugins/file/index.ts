import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { fileConfig } from './config.js';
import { fileConflicts } from './conflicts.js';

/** The file plugin: events as NDJSON on local disk. The reference plugin: read it first. */
export const filePlugin = definePlugin({
  type: 'file',
  summary: 'The file plugin: events as NDJSON on local disk.',
  enabled: {
    default: false,
    description:
      'Write events to a local NDJSON file. Off unless enabled: the output grows by about 1 KB per request (bounded by `maxBytes` and `maxFiles`).',
  },
  maxEventAge: { default: '0s', why: 'A first run on a large backlog can skip what is too old to matter.' },
  config: fileConfig,
  history: { accepts: 'any', idempotent: false },
  load: () => import('./plugin.js'),
  conflicts: fileConflicts,
  describe: (section, { id }) => [
    `  ${id}: → ${section.path} (rotated at ${section.maxBytes} bytes, ${section.maxFiles} kept, fsync ${section.fsync})`,
  ],
});

/** `plugins.file`, as validated. */
export const FileConfigSchema = sectionSchema(filePlugin);
