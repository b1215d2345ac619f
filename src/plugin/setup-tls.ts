import { GaxError } from '../errors.js';
import type { ClientTlsConfig } from '../http/client-tls.js';
import type { SetupContext, SetupOption } from './capabilities.js';

/**
 * The TLS flags of a setup command that talks to a web UI over https (`gax setup kibana`,
 * `gax setup opensearch-dashboards`): `--ca-file`, `--cert-file` + `--key-file`, `--insecure`.
 * `whose`: whose certificate the help and the warning speak of (`Kibana’s`, `the server’s`).
 */
export function tlsOptions(whose: string): SetupOption[] {
  return [
    { flags: '--ca-file <pem>', description: `CA certificate(s) that sign ${whose} certificate (https)` },
    {
      flags: '--cert-file <pem>',
      description: `client certificate, when ${serverOf(whose)} wants one (with --key-file)`,
    },
    { flags: '--key-file <pem>', description: 'client certificate key (with --cert-file)' },
    { flags: '--insecure', description: `do not verify ${whose} certificate (prefer --ca-file)` },
  ];
}

/**
 * The TLS settings those flags give (undefined: none given): a usage error for a certificate
 * without its key, and `GAX_ERR_TLS_INSECURE` warned for `--insecure`.
 */
export function tlsFromOptions(
  context: SetupContext<unknown>,
  command: string,
  whose: string,
): ClientTlsConfig | undefined {
  const opts = context.options as {
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    insecure?: boolean;
  };
  if ((opts.certFile === undefined) !== (opts.keyFile === undefined))
    throw context.usage('--cert-file and --key-file go together');
  if (opts.insecure === true)
    context.warn(
      new GaxError(
        'GAX_ERR_TLS_INSECURE',
        `--insecure: ${whose} certificate is not verified; the credentials can be read on the network path`,
        { command },
      ),
    );
  if (opts.caFile === undefined && opts.certFile === undefined && opts.insecure !== true) return undefined;
  return {
    rejectUnauthorized: opts.insecure !== true,
    ...(opts.caFile === undefined ? {} : { caFile: opts.caFile }),
    ...(opts.certFile === undefined ? {} : { certFile: opts.certFile }),
    ...(opts.keyFile === undefined ? {} : { keyFile: opts.keyFile }),
  };
}

/** `Kibana’s` → `Kibana`, `the server’s` → `the server`. */
function serverOf(whose: string): string {
  return whose.replace(/’s$/, '');
}
