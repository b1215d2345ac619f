import { Type } from '@sinclair/typebox';
import type { SectionConfig } from '../../src/plugin/define.js';

/** `plugins.file`: append every canonical event as one JSON line to a local file. (own keys; the common ones are composed in by definePlugin) */
export const fileConfig = {
  path: Type.String({
    default: './data/events.ndjson',
    minLength: 1,
    filePath: true,
    description: 'File the events are appended to, one JSON object per line. Relative to the config file.',
  }),
  maxBytes: Type.Integer({
    default: 104_857_600,
    minimum: 1024,
    description:
      'Size at which the output is rotated (renamed to `<path>.1`, older ones shifted to `.2`, …), in bytes. Rotation happens between batches, so a file can pass this by at most one batch.',
  }),
  maxFiles: Type.Integer({
    default: 5,
    minimum: 0,
    maximum: 1000,
    description:
      'Rotated output files kept; the oldest beyond this is deleted. At most `maxBytes × (maxFiles + 1)` bytes on disk (600 MiB by default).',
  }),
  fsync: Type.Union([Type.Literal('batch'), Type.Literal('never')], {
    default: 'batch',
    description:
      '`batch`: fsync after each batch before acknowledging it (no loss on power failure); `never`: leave flushing to the OS (faster, may lose the last batches on a crash of the host).',
  }),
};

export type FileConfig = SectionConfig<typeof fileConfig>;
