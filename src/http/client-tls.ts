import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';

/** The `tls` keys of an outbound connection (src/config/tls-schema.ts). */
export interface ClientTlsConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly rejectUnauthorized: boolean;
}

/** The PEM contents for `tls.connect` / `https.Agent`: only what is configured. */
export interface ClientTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
}

/** Reads the CA, certificate and key files; a missing one is an error naming its key and path. */
export async function readClientTls(config: ClientTlsConfig, section: string): Promise<ClientTls> {
  const read = async (key: 'caFile' | 'certFile' | 'keyFile'): Promise<string | undefined> => {
    const path = config[key];
    if (path === undefined) return undefined;
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new Error(`cannot read ${section}.tls.${key} ${path} (${reason})`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('caFile'), read('certFile'), read('keyFile')]);
  return {
    rejectUnauthorized: config.rejectUnauthorized,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}

/**
 * The loud start-up line for `tls.rejectUnauthorized: false`: every start, at WARN. `logger` is
 * the plugin's own (its `plugin` field already set, so the line does not repeat it).
 */
export function warnIfInsecure(logger: Logger, tls: ClientTlsConfig | undefined): void {
  if (tls === undefined || tls.rejectUnauthorized) return;
  logger.warn(
    { code: 'GAX_ERR_TLS_INSECURE' satisfies ErrorCode },
    'TLS certificate verification is OFF (tls.rejectUnauthorized: false): credentials and events can be read by anyone on the network path. Set tls.caFile instead.',
  );
}

/** An operator's next step for a TLS error code of Node's (`err.code` or its `cause.code`), if it is one. */
export function tlsHint(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the server certificate does not name this host';
  if (code === 'CERT_HAS_EXPIRED') return 'the server certificate has expired';
  if (/ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE)/.test(code)) {
    return 'the server refused the client certificate, or wants one: set tls.certFile and tls.keyFile';
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return 'the server certificate is not trusted: give its CA with tls.caFile';
  }
  return undefined;
}
