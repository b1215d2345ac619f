import { type Static, Type } from '@sinclair/typebox';
import { maxEventAgeSchema } from '../../src/config/duration.js';

/** `plugins.datadog`: submit request metrics to the Datadog API. */
export const DatadogConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Send metrics to Datadog.' }),
    maxEventAge: maxEventAgeSchema('0s', 'Datadog refuses points older than its accepted window.'),
    apiKey: Type.String({
      default: '',
      secret: true,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
      description: 'Datadog API key; required when enabled. Use `${DD_API_KEY}` rather than the literal key.',
    }),
    site: Type.String({
      default: 'datadoghq.com',
      minLength: 1,
      description:
        'Datadog site: `datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`, `us5.datadoghq.com`, `ap1.datadoghq.com`, `ddog-gov.com`.',
    }),
    prefix: Type.String({ default: 'apim.', description: 'Prefix of every metric name.' }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The Datadog plugin: request metrics.',
    if: { properties: { enabled: { const: true } }, required: ['enabled'] },
    // biome-ignore lint/suspicious/noThenProperty: the JSON Schema `if`/`then` keyword, not a promise
    then: {
      required: ['apiKey'],
      properties: {
        apiKey: { minLength: 1, errorMessage: 'must be set when plugins.datadog.enabled is true' },
      },
    },
  },
);

export type DatadogConfig = Static<typeof DatadogConfigSchema>;
