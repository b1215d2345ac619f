import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/telemetry/logger.js';
import { redactUrlCredentials, rememberSecrets, scrub } from '../../../src/telemetry/redact.js';
import { waitFor } from '../../helpers/daemon.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-redact-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scrub', () => {
  it.each([
    ['"authorization":"Basic Zm9vOmJhcg=="', '"authorization":"<redacted>"'],
    ['"Authorization": "ApiKey abc"', '"Authorization": "<redacted>"'],
    ['"DD-API-KEY":"0123"', '"DD-API-KEY":"<redacted>"'],
    ['"dd_api_key":"0123"', '"dd_api_key":"<redacted>"'],
    ['"password":"with \\"quote\\" inside"', '"password":"<redacted>"'],
    ['"hashKey":"k"', '"hashKey":"<redacted>"'],
    ['"passwordFile":"/run/secrets/pw"', '"passwordFile":"/run/secrets/pw"'],
    ['"node":"https://elastic:changeme@es:9200/"', '"node":"https://elastic:<redacted>@es:9200/"'],
    ['"url":"https://es:9200/_bulk"', '"url":"https://es:9200/_bulk"'],
  ])('rewrites %s as %s', (line, expected) => {
    expect(scrub(line)).toBe(expected);
  });

  it('replaces every remembered secret value, also JSON-escaped, but not values of under 4 characters', () => {
    rememberSecrets(['s3cr3t-value', 'with"quote-secret', 'abc']);
    expect(scrub('{"msg":"x","reason":"key s3cr3t-value refused"}')).toBe(
      '{"msg":"x","reason":"key <redacted> refused"}',
    );
    expect(scrub(JSON.stringify({ reason: 'bad with"quote-secret' }))).toBe('{"reason":"bad <redacted>"}');
    expect(scrub('{"msg":"abc"}')).toBe('{"msg":"abc"}');
  });

  it('redacts URL passwords for output outside the log', () => {
    expect(redactUrlCredentials('https://u:p@host:1/x and http://host/')).toBe(
      'https://u:<redacted>@host:1/x and http://host/',
    );
  });
});

describe('createLogger', () => {
  it('writes no secret: nested error metadata, header names, URL passwords and known values', async () => {
    rememberSecrets(['dd-0123456789abcdef']);
    const path = join(dir, 'log.ndjson');
    const fd = openSync(path, 'w');
    const logger = createLogger({ level: 'debug', format: 'json', fd });
    const err = Object.assign(new Error('Response Error'), {
      meta: {
        body: { error: { reason: 'echo: dd-0123456789abcdef' } },
        meta: {
          request: { params: { headers: { authorization: 'ApiKey aWQ6c2VjcmV0', 'DD-API-KEY': 'x' } } },
        },
      },
    });
    logger.error({ err, node: 'https://elastic:es-password@es.internal:9200' }, 'Bulk failed.');
    logger.warn(
      { plugin: 'datadog', reason: 'HTTP 403: key dd-0123456789abcdef is invalid' },
      'Delivery failed.',
    );
    logger.info({ config: { auth: { apiKey: 'aWQ6c2VjcmV0' } } }, 'Config.');
    logger.flush();
    await waitFor(() => readFileSync(path, 'utf8').split('\n').length > 3, 5000, 'three log lines');
    closeSync(fd);
    const text = readFileSync(path, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).not.toMatch(/aWQ6c2VjcmV0|dd-0123456789abcdef|es-password/);
    expect(text).toContain('https://elastic:<redacted>@es.internal:9200');
    expect(text).toContain('"authorization":"<redacted>"');
  });
});
