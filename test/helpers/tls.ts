import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Paths of a self-signed certificate for 127.0.0.1 and its key, written by `openssl` into `dir`. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Writes a one-day self-signed RSA certificate for `127.0.0.1` (CN and IP SAN) into `dir`. */
export function selfSignedCert(dir: string): SelfSigned {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      ...subject,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}
