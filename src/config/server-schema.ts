import { type Static, Type } from '@sinclair/typebox';
import { durationPattern } from './duration.js';

function readinessLimit(defaultValue: string, description: string) {
  return Type.String({
    default: defaultValue,
    pattern: durationPattern,
    errorMessage: 'must be a duration such as 30s, 5m or 1h',
    description: `${description} \`0s\` turns the check off.`,
  });
}

/** `server`: the HTTP endpoints `/metrics`, `/healthz`, `/readyz`. */
export const ServerSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Serve `/metrics`, `/healthz` and `/readyz` over HTTP.',
    }),
    host: Type.String({
      default: '127.0.0.1',
      minLength: 1,
      description: 'Address to listen on; `0.0.0.0` for every interface.',
    }),
    port: Type.Integer({
      default: 9464,
      minimum: 0,
      maximum: 65535,
      description: 'TCP port; `0` picks a free one.',
    }),
    basicAuth: Type.Optional(
      Type.Object(
        {
          username: Type.String({ minLength: 1, description: 'User name scrapers must send.' }),
          password: Type.String({
            minLength: 1,
            secret: true,
            description: 'Password; reference an environment variable rather than writing it here.',
          }),
        },
        {
          additionalProperties: false,
          description:
            'Require HTTP basic authentication on `/metrics`. `/healthz` and `/readyz` stay open for probes.',
        },
      ),
    ),
    readiness: Type.Object(
      {
        maxPluginFailing: readinessLimit(
          '5m',
          'Not ready once a plugin has been retrying (no delivery since its first failure) for longer than this.',
        ),
        maxInputLag: readinessLimit(
          '10m',
          "Not ready once a plugin's reader has been behind the end of an input file for longer than this (`gax_input_lag_seconds`).",
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'When `/readyz` answers 503. `/healthz` is liveness only and never looks at plugins or inputs.',
      },
    ),
    tls: Type.Optional(
      Type.Object(
        {
          certFile: Type.String({ minLength: 1, filePath: true, description: 'PEM certificate (chain).' }),
          keyFile: Type.String({ minLength: 1, filePath: true, description: 'PEM private key.' }),
        },
        { additionalProperties: false, description: 'Serve HTTPS with this certificate instead of HTTP.' },
      ),
    ),
  },
  { additionalProperties: false, default: {}, description: 'The HTTP server for metrics and health checks.' },
);

export type ServerConfig = Static<typeof ServerSchema>;
