import { type Static, Type } from '@sinclair/typebox';
import { maxEventAgeSchema } from '../../src/config/duration.js';
import { PiiSchema } from '../../src/pii/schema.js';

/** `plugins.file`: append every canonical event as one JSON line to a local file. */
export const FileConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Write events to a local NDJSON file.' }),
    maxEventAge: maxEventAgeSchema(
      '0s',
      'A first run on a large backlog can skip what is too old to matter.',
    ),
    path: Type.String({
      default: './data/events.ndjson',
      minLength: 1,
      filePath: true,
      description: 'File the events are appended to, one JSON object per line. Relative to the config file.',
    }),
    fsync: Type.Union([Type.Literal('batch'), Type.Literal('never')], {
      default: 'batch',
      description:
        '`batch`: fsync after each batch before acknowledging it (no loss on power failure); `never`: leave flushing to the OS (faster, may lose the last batches on a crash of the host).',
    }),
    pii: PiiSchema,
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The file plugin: events as NDJSON on local disk.',
  },
);

export type FileConfig = Static<typeof FileConfigSchema>;
