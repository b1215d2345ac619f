import { Type } from '@sinclair/typebox';

/**
 * The keys of an outbound TLS connection, shared by the plugins that talk to a backend: the CA
 * to trust, a client certificate for mutual TLS, and whether to verify at all. The client side
 * reads the files with `readClientTls` (src/http/client-tls.ts).
 */
export const caFileSchema = (peer: string) =>
  Type.Optional(
    Type.String({
      minLength: 1,
      filePath: true,
      description: `PEM file of the CA (or CAs) that signed the ${peer} certificate; replaces the built-in list of public CAs for this connection. Relative to the config file.`,
    }),
  );

export const clientCertSchemas = {
  certFile: Type.Optional(
    Type.String({
      minLength: 1,
      filePath: true,
      description:
        'PEM client certificate (chain) for mutual TLS; needs `keyFile`. Relative to the config file.',
    }),
  ),
  keyFile: Type.Optional(
    Type.String({
      minLength: 1,
      filePath: true,
      description: 'PEM private key (unencrypted) of `certFile`. Relative to the config file.',
    }),
  ),
};

export const rejectUnauthorizedSchema = Type.Boolean({
  default: true,
  description:
    'Verify the server certificate. `false` turns verification off (anyone on the path can read credentials and events): only for a throw-away test setup; logged as GAX_ERR_TLS_INSECURE at every start.',
});

/** JSON Schema `dependencies`: a client certificate comes with its key, and the other way round. */
export const clientCertPairs = { dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] } } as const;

/** `tls` of a plugin that talks HTTPS to one backend. */
export function clientTlsSchema(peer: string, description: string) {
  return Type.Object(
    { caFile: caFileSchema(peer), ...clientCertSchemas, rejectUnauthorized: rejectUnauthorizedSchema },
    { additionalProperties: false, ...clientCertPairs, description },
  );
}
