/**
 * `gax setup kibana` against a loopback receiver that answers Kibana's saved-objects import API
 * (`POST /api/saved_objects/_import?overwrite=true`, multipart, `kbn-xsrf` required) the way
 * Kibana 8.x does, and checks each upload with the same offline validator as the bundle test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryableFields } from '../../plugins/elasticsearch/fields.js';
import { withIndexPrefix } from '../../plugins/elasticsearch/setup/kibana.js';
import { validateKibanaNdjson } from '../dashboards/kibana-validator/index.js';
import { runCli } from '../helpers/cli.js';
import { type HttpAndMtls, type SelfSigned, startHttpAndMtls } from '../helpers/tls.js';

interface Upload {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly ndjson: string;
}

let ui: HttpAndMtls;
let url: string;
/** The same receiver over https (self-signed for 127.0.0.1) that wants a client certificate. */
let tlsUrl: string;
let tlsDir: string;
let serverCert: SelfSigned;
let clientCert: SelfSigned;
let clientCertsSeen: (string | undefined)[] = [];
let uploads: Upload[] = [];
/** Saved objects "in Kibana", per space: `type/id` → title. */
const stored = new Map<string, Map<string, string>>();
let answer: 'kibana' | 'unauthorized' = 'kibana';

beforeAll(async () => {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (answer === 'unauthorized')
        return reply(401, { statusCode: 401, error: 'Unauthorized', message: 'missing credentials' });
      const match = /^(?:\/s\/([^/]+))?\/api\/saved_objects\/_import\?overwrite=true$/.exec(req.url ?? '');
      if (req.method !== 'POST' || match === null)
        return reply(404, { statusCode: 404, message: 'Not Found' });
      if (req.headers['kbn-xsrf'] === undefined)
        return reply(400, {
          statusCode: 400,
          error: 'Bad Request',
          message: 'Request must contain a kbn-xsrf header.',
        });
      const ndjson = filePart(body, req.headers['content-type'] ?? '');
      uploads.push({ path: req.url ?? '', headers: req.headers, ndjson });
      const space = match[1] ?? 'default';
      const missing = missingReferences(ndjson, stored.get(space) ?? new Map());
      if (missing.length > 0)
        return reply(200, { success: false, successCount: 0, errors: missing, warnings: [] });
      const problems = validateKibanaNdjson(ndjson, queryableFields());
      if (problems.length > 0) return reply(400, { statusCode: 400, message: problems.join('; ') });
      const objects = stored.get(space) ?? new Map<string, string>();
      stored.set(space, objects);
      const successResults = ndjson
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { id: string; type: string; attributes: { title: string } })
        .map((o) => {
          const key = `${o.type}/${o.id}`;
          const overwrite = objects.has(key);
          objects.set(key, o.attributes.title);
          return {
            type: o.type,
            id: o.id,
            meta: { title: o.attributes.title },
            ...(overwrite ? { overwrite: true } : {}),
          };
        });
      reply(200, { success: true, successCount: successResults.length, successResults, warnings: [] });
    });
  };
  ui = await startHttpAndMtls(handle, 'kibana');
  ({ url, tlsUrl, dir: tlsDir, serverCert, clientCert, clientCertsSeen } = ui);
});

afterAll(() => ui.close());

beforeEach(() => {
  uploads = [];
  answer = 'kibana';
});

interface SavedObject {
  id: string;
  type: string;
  attributes: { title: string };
  references?: { type: string; id: string }[];
}

/** Kibana's per-object `missing_references` errors: references neither in the file nor stored. */
function missingReferences(ndjson: string, existing: Map<string, string>) {
  const objects = ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SavedObject);
  const inFile = new Set(objects.map((o) => `${o.type}/${o.id}`));
  return objects.flatMap((o) => {
    const refs = (o.references ?? []).filter(
      (r) => !inFile.has(`${r.type}/${r.id}`) && !existing.has(`${r.type}/${r.id}`),
    );
    if (refs.length === 0) return [];
    const meta = { title: o.attributes.title };
    return [
      {
        id: o.id,
        type: o.type,
        title: o.attributes.title,
        meta,
        error: { type: 'missing_references', references: refs },
      },
    ];
  });
}

/** The `file` part of a multipart/form-data body. */
function filePart(body: string, contentType: string): string {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`not multipart: ${contentType}`);
  for (const part of body.split(`--${boundary}`)) {
    if (!part.includes('name="file"')) continue;
    return part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
  }
  throw new Error('no file part');
}

describe('gax setup kibana', () => {
  it('imports every bundled object and reports each one as created', async () => {
    const r = await runCli(['setup', 'kibana', '--url', url, '--space', 'ops']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const objects = stored.get('ops') as Map<string, string>;
    expect(objects.size).toBeGreaterThan(20);
    expect(r.stdout).toContain(`done: ${objects.size} objects imported, 0 failed, into ${url} space ops`);
    expect(r.stdout).toMatch(
      /index-pattern\s+12b6ceb0-620d-11ec-ae22-0df825122121\s+created\s+apim_event_response\*/,
    );
    expect(uploads[0]?.path).toBe('/s/ops/api/saved_objects/_import?overwrite=true');
    expect(uploads[0]?.headers['kbn-xsrf']).toBeDefined();
  });

  it('overwrites on a second run instead of duplicating', async () => {
    await runCli(['setup', 'kibana', '--url', url, '--space', 'twice']);
    const size = stored.get('twice')?.size;
    const r = await runCli(['setup', 'kibana', '--url', url, '--space', 'twice']);
    expect(r.code).toBe(0);
    expect(stored.get('twice')?.size).toBe(size);
    expect(r.stdout).not.toMatch(/\screated\s/);
    expect(r.stdout.match(/\soverwritten\s/g)?.length).toBe(size);
  });

  it('retitles the data views for another index prefix and keeps their ids', async () => {
    const r = await runCli(['setup', 'kibana', '--url', url, '--index-prefix', 'acme_apim']);
    expect(r.code).toBe(0);
    const titles = [...(stored.get('default') ?? new Map<string, string>()).entries()].filter(([k]) =>
      k.startsWith('index-pattern/'),
    );
    expect(titles.map(([, t]) => t).sort()).toEqual([
      'acme_apim*',
      'acme_apim_faulty*',
      'acme_apim_response*',
    ]);
    expect(
      withIndexPrefix('{"type":"lens","id":"x","attributes":{"title":"apim_event x"}}', 'acme'),
    ).toContain('"apim_event x"');
  });

  it('titles the data views with the index prefix of the instance named by --instance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gax-kibana-'));
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      'inputs: [{ paths: [a.log] }]\nplugins:\n  elasticsearch: { indexPrefix: hot_apim }\n  elasticsearch/archive: { indexPrefix: cold_apim }\n',
    );
    try {
      const r = await runCli([
        'setup',
        'kibana',
        '--url',
        url,
        '--space',
        'cold',
        '-c',
        config,
        '--instance',
        'elasticsearch/archive',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const titles = [...(stored.get('cold') ?? new Map<string, string>()).entries()]
        .filter(([k]) => k.startsWith('index-pattern/'))
        .map(([, t]) => t)
        .sort();
      expect(titles).toEqual(['cold_apim*', 'cold_apim_faulty*', 'cold_apim_response*']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sends Kibana credentials from the environment', async () => {
    await runCli(['setup', 'kibana', '--url', url], { env: { KIBANA_API_KEY: 'c2VjcmV0' } });
    expect(uploads[0]?.headers.authorization).toBe('ApiKey c2VjcmV0');
  });

  it('fails with the reason when Kibana refuses the import', async () => {
    answer = 'unauthorized';
    const r = await runCli(['setup', 'kibana', '--url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('import failed: HTTP 401 missing credentials [GAX_ERR_SETUP_FAILED]');
  });

  it('fails with a coded error when Kibana cannot be reached', async () => {
    const r = await runCli(['setup', 'kibana', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9: .*\[GAX_ERR_SETUP_FAILED\]/);
  });

  it('reports the objects Kibana refused, with the reason, and exits 1', async () => {
    const lens = {
      id: 'x',
      type: 'lens',
      attributes: { title: 'Broken' },
      references: [{ type: 'index-pattern', id: 'nope', name: 'r' }],
    };
    const dir = await mkdtemp(join(tmpdir(), 'gax-kibana-'));
    const file = join(dir, 'bad.ndjson');
    await writeFile(file, `${JSON.stringify(lens)}\n`);
    const r = await runCli(['setup', 'kibana', '--url', url, '--file', file]);
    await rm(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /lens\s+x\s+FAILED\s+Broken \(missing_references: missing index-pattern\/nope\)/,
    );
    expect(r.stdout).toContain('done: 0 objects imported, 1 failed');
  });

  describe('over https', () => {
    it('refuses an untrusted certificate with the flag that fixes it', async () => {
      const r = await runCli(['setup', 'kibana', '--url', tlsUrl]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /cannot reach https:\/\/127\.0\.0\.1:\d+: .*\(the server certificate is not trusted: give its CA with --ca-file\) \[GAX_ERR_SETUP_FAILED\]/,
      );
      expect(uploads).toEqual([]);
    });

    it('imports with --ca-file and a client certificate', async () => {
      const seen = clientCertsSeen.length;
      const r = await runCli([
        'setup',
        'kibana',
        '--url',
        tlsUrl,
        '--space',
        'tls',
        '--ca-file',
        serverCert.certFile,
        '--cert-file',
        clientCert.certFile,
        '--key-file',
        clientCert.keyFile,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`objects imported, 0 failed, into ${tlsUrl} space tls`);
      expect(clientCertsSeen.slice(seen)).toEqual(['127.0.0.1']);
      expect(stored.get('tls')?.size).toBeGreaterThan(20);
    });

    it('is refused by a server that wants a client certificate when none is given', async () => {
      const r = await runCli(['setup', 'kibana', '--url', tlsUrl, '--ca-file', serverCert.certFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[GAX_ERR_SETUP_FAILED]');
      expect(uploads).toEqual([]);
    });

    it('skips verification only with --insecure, and says so', async () => {
      const r = await runCli([
        'setup',
        'kibana',
        '--url',
        tlsUrl,
        '--space',
        'insecure',
        '--insecure',
        '--cert-file',
        clientCert.certFile,
        '--key-file',
        clientCert.keyFile,
      ]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('[GAX_ERR_TLS_INSECURE]');
    });

    it('names the flag of a file it cannot read, and wants the key with the certificate', async () => {
      const missing = await runCli([
        'setup',
        'kibana',
        '--url',
        tlsUrl,
        '--ca-file',
        join(tlsDir, 'nope.pem'),
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/cannot read --ca-file .*nope\.pem \(ENOENT\) \[GAX_ERR_SETUP_FAILED\]/);
      const half = await runCli(['setup', 'kibana', '--url', tlsUrl, '--cert-file', clientCert.certFile]);
      expect(half.code).not.toBe(0);
      expect(half.stderr).toContain('--cert-file and --key-file go together');
    });
  });
});
