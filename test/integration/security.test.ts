// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
/**
 * Security end to end, through the built `gax`: secrets configured from the environment and from
 * `*_FILE` files never appear in the daemon's log (at debug level, against backends that refuse
 * the credentials and echo them back), on `/readyz`, or in `gax check-config --print`; and PII
 * rules reach the backends: dropped, masked and hashed fields in the file plugin's output, the
 * hash the same in Elasticsearch where the same key is used.
 */

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashValue } from '../../src/pii/transform.js';
import { runCli, startCli } from '../helpers/cli.js';
import { readNdjson, waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';
import { type LoopbackListener, listenOnLoopback } from '../helpers/loopback.js';

const ES_API_KEY = 'ZXMtaWQ6ZXMtc2VjcmV0LWtleS0xMjM0';
const DD_API_KEY = 'dd0123456789abcdef0123456789abcd';
const METRICS_PW = 'metrics-password-5678';
const PII_KEY = 'pii-hash-key-0123456789abcdef';
const SECRETS = [
  ES_API_KEY,
  DD_API_KEY,
  METRICS_PW,
  PII_KEY,
  Buffer.from(`scraper:${METRICS_PW}`).toString('base64'),
];

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Backend {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

let dir: string;
const backends: LoopbackListener[] = [];
let stop: (() => Promise<void>) | undefined;

/** A loopback HTTP backend: records each request (gunzipped) and answers with `handler`. */
async function backend(handler: Handler): Promise<Backend> {
  const requests: Backend['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      requests.push({ path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  const listener = await listenOnLoopback(server);
  backends.push(listener);
  return { url: `http://127.0.0.1:${listener.port}`, requests, close: () => listener.close() };
}

const esHeaders = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-security-'));
  await mkdir(join(dir, 'logs'));
});

afterEach(async () => {
  await stop?.();
  stop = undefined;
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Starts `gax run` on `config` (written to dir) and returns its output so far, and a stop by PID. */
async function run(config: string, env: NodeJS.ProcessEnv) {
  const path = join(dir, 'gax.yaml');
  await writeFile(path, config);
  const gax = startCli(['run', '-c', path], { env });
  stop = async () => {
    gax.child.kill('SIGTERM');
    await gax.exited;
  };
  return { path, gax };
}

describe('secrets', () => {
  it('never appear in the log, on /readyz or in check-config --print, also when backends echo them', async () => {
    // Both backends refuse the credentials and echo them in the error, as a misbehaving proxy might.
    const es = await backend((req, _body, res) => {
      const reason = `unable to authenticate with [${req.headers.authorization}]`;
      res.writeHead(401, esHeaders).end(JSON.stringify({ error: { type: 'security_exception', reason } }));
    });
    const dd = await backend((req, _body, res) => {
      const errors = [`Forbidden: API key ${req.headers['dd-api-key']} is not valid`];
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
    });
    const now = new Date().toISOString();
    const lines = [1, 2, 3].map((i) => responseLine(`r${i}`, { requestTimestamp: now }));
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${lines.join('\n')}\n`);
    await writeFile(join(dir, 'dd-api-key'), `${DD_API_KEY}\n`);
    const config = [
      `inputs: [{ paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics.log'))}], pollIntervalMs: 20 }]`,
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'server: { host: 127.0.0.1, port: 0, basicAuth: { username: scraper, password: "${METRICS_PW}" } }',
      'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000, retry: { initialIntervalMs: 50, maxIntervalMs: 200 } }',
      'log: { level: debug, format: json }',
      'plugins:',
      `  file: { enabled: true, path: ${JSON.stringify(join(dir, 'out', 'events.ndjson'))}, pii: { userName: hash, hashKey: "\${GAX_PII_KEY}" } }`,
      '  prometheus: { enabled: false }',
      `  elasticsearch: { enabled: true, node: "${es.url}", auth: { apiKey: "\${ES_API_KEY}" } }`,
      `  datadog: { enabled: true, url: "${dd.url}", apiKey: "\${DD_API_KEY}", flushIntervalSeconds: 1 }`,
    ].join('\n');
    const env = {
      ES_API_KEY,
      DD_API_KEY_FILE: join(dir, 'dd-api-key'),
      METRICS_PW,
      GAX_PII_KEY: PII_KEY,
    };
    const { path, gax } = await run(config, env);
    const retrying = (plugin: string) =>
      gax.output().includes(`"plugin":"${plugin}"`) && gax.output().includes('Delivery failed; retrying.');
    await waitFor(
      () => retrying('elasticsearch') && retrying('datadog') && dd.requests.length > 0,
      20_000,
      'both backends refusing',
    );
    const url = /"url":"(http:\/\/[^"]+)"/.exec(gax.output())?.[1] ?? '';
    const readyz = await (await fetch(`${url}/readyz`)).text();
    const authorised = await fetch(`${url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`scraper:${METRICS_PW}`).toString('base64')}` },
    });
    expect(authorised.status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    await stop?.();
    stop = undefined;

    // The backends did get the secrets (the test means something) ...
    expect(es.requests[0]?.headers.authorization).toBe(`ApiKey ${ES_API_KEY}`);
    expect(dd.requests[0]?.headers['dd-api-key']).toBe(DD_API_KEY);
    const log = gax.output();
    expect(log).toContain('<redacted>');
    expect(readyz).toContain('<redacted>');
    // ... and not one line of the daemon's output, nor /readyz, shows one.
    for (const secret of SECRETS) {
      expect(log).not.toContain(secret);
      expect(readyz).not.toContain(secret);
    }

    const printed = await runCli(['check-config', '--print', '-c', path], { env });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('<redacted>');
    for (const secret of SECRETS) expect(printed.stdout + printed.stderr).not.toContain(secret);
  });

  it('reports an unreadable *_FILE as a config problem naming the variable', async () => {
    const path = join(dir, 'gax.yaml');
    await writeFile(
      path,
      `inputs: [{ paths: [/var/log/apim_metrics.log] }]\nplugins: { datadog: { enabled: true, apiKey: "\${DD_API_KEY}" } }\n`,
    );
    const result = await runCli(['check-config', '-c', path], {
      env: { DD_API_KEY: undefined, DD_API_KEY_FILE: join(dir, 'nope') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `plugins.datadog.apiKey: cannot read DD_API_KEY_FILE ${join(dir, 'nope')} (ENOENT) [GAX_ERR_CONFIG_ENV_FILE]`,
    );
  });
});

describe('PII rules', () => {
  it('drop, mask and hash per plugin; the same key gives the same hash in two backends', async () => {
    const es = await backend((req, body, res) => {
      if (req.url?.startsWith('/_bulk') !== true) return res.writeHead(200, esHeaders).end('{}');
      const items = body
        .trim()
        .split('\n')
        .filter((_, i) => i % 2 === 0)
        .map(() => ({ create: { status: 201 } }));
      res.writeHead(200, esHeaders).end(JSON.stringify({ errors: false, items }));
    });
    const people = [
      {
        userName: 'alice@carbon.super',
        userIp: '203.0.113.77',
        userAgentHeader: 'Mozilla/5.0 (X11) Firefox/120',
      },
      { userName: 'bob@tenant.org', userIp: '2001:db8:abcd:12::5', userAgentHeader: 'curl/8.5.0' },
    ];
    const lines = people.map((p, i) =>
      responseLine(`r${i}`, { ...p, properties: { userName: p.userName, apiContext: '/pizzashack/1.0.0' } }),
    );
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${lines.join('\n')}\n`);
    const config = [
      `inputs: [{ paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics.log'))}], pollIntervalMs: 20 }]`,
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'server: { enabled: false }',
      'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 2000 }',
      'log: { level: warn, format: json }',
      'plugins:',
      `  file: { enabled: true, path: ${JSON.stringify(join(dir, 'out', 'events.ndjson'))}, pii: { userIp: mask, userName: hash, userAgent: drop, hashKey: "\${GAX_PII_KEY}" } }`,
      '  prometheus: { enabled: false }',
      `  elasticsearch: { enabled: true, node: "${es.url}", templates: { install: false }, pii: { userIp: hash, userName: hash, userAgent: mask, hashKey: "\${GAX_PII_KEY}" } }`,
    ].join('\n');
    await run(config, { GAX_PII_KEY: PII_KEY });
    const out = join(dir, 'out', 'events.ndjson');
    const bulkDocs = () =>
      es.requests
        .filter((r) => r.path === '/_bulk')
        .flatMap((r) =>
          r.body
            .trim()
            .split('\n')
            .filter((_, i) => i % 2 === 1),
        )
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(
      async () => (await readNdjson(out)).length === 2 && bulkDocs().length === 2,
      15_000,
      'two events in both backends',
    );
    const file = await readNdjson<Record<string, unknown>>(out);
    const docs = bulkDocs();
    const fileText = await readFile(out, 'utf8');
    for (const [i, p] of people.entries()) {
      const name = hashValue(PII_KEY, p.userName);
      expect(file[i]).toMatchObject({ userName: name, properties: { userName: name } });
      expect(file[i]).not.toHaveProperty('userAgent');
      expect(file[i]).not.toHaveProperty('userAgentHeader');
      expect(docs[i]).toMatchObject({ userName: name, userIp: hashValue(PII_KEY, p.userIp) });
      expect(fileText).not.toContain(p.userName);
    }
    expect(file.map((e) => e.userIp)).toEqual(['203.0.113.0', '2001:db8:abcd::']);
    expect(docs.map((d) => d.userAgentHeader)).toEqual(['Mozilla', 'curl']);
    expect(docs.map((d) => d.userAgent)).toEqual(['curl', 'curl']);
  });
});
