import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';

const minimal = 'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\n';

describe('tls config', () => {
  it('wants a client certificate and its key together', () => {
    const text = `${minimal}plugins:\n  elasticsearch: { tls: { certFile: /c.pem } }\n  datadog: { tls: { keyFile: /k.pem } }\n`;
    const loaded = parseConfig(text, { env: {} });
    expect(loaded.ok ? [] : loaded.problems).toMatchObject([
      {
        path: 'plugins.elasticsearch.tls',
        message: 'must have property keyFile when property certFile is present',
      },
      {
        path: 'plugins.datadog.tls',
        message: 'must have property certFile when property keyFile is present',
      },
    ]);
  });

  it('resolves the TLS files of both plugins against the config file', () => {
    const text = `${minimal}plugins:\n  elasticsearch: { tls: { certFile: c.pem, keyFile: k.pem } }\n  datadog: { tls: { caFile: ca.pem } }\n`;
    const loaded = parseConfig(text, { env: {}, source: '/etc/gax/gax.yaml' });
    expect(loaded.ok && loaded.config.plugins.elasticsearch.tls).toMatchObject({
      certFile: '/etc/gax/c.pem',
      keyFile: '/etc/gax/k.pem',
    });
    expect(loaded.ok && loaded.config.plugins.datadog.tls).toEqual({
      caFile: '/etc/gax/ca.pem',
      rejectUnauthorized: true,
    });
  });

  it('warns about turned-off verification in an enabled plugin only', () => {
    const text = `${minimal}plugins:\n  elasticsearch: { enabled: true, tls: { rejectUnauthorized: false } }\n  datadog: { enabled: false, tls: { rejectUnauthorized: false } }\n`;
    const loaded = parseConfig(text, { env: {} });
    expect(loaded.ok && loaded.warnings).toMatchObject([
      { path: 'plugins.elasticsearch.tls.rejectUnauthorized', line: 4, code: 'GAX_ERR_TLS_INSECURE' },
    ]);
  });
});
