/**
 * `gax setup opensearch-dashboards` against a loopback receiver that answers OpenSearch
 * Dashboards' saved-objects import API as OSD 2.x does: `POST /api/saved_objects/_import`,
 * multipart with a `file` part named `*.ndjson`, the `osd-xsrf` header required (Kibana's
 * `kbn-xsrf` refused), Basic credentials when the security plugin is on, the `securitytenant`
 * header choosing the tenant, `overwrite=true` turning id conflicts into overwrites, per-object
 * `missing_references` errors. Each upload is also checked with the bundle's offline validator.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSetupOpenSearchDashboards, withIndexPrefix } from '../../plugins/opensearch/setup/dashboards.js';
import { queryableFields } from '../../src/search-index/fields.js';
import { validateOsdNdjson } from '../dashboards/opensearch-validator.js';
import { runCli } from '../helpers/cli.js';
import { type HttpAndMtls, type SelfSigned, startHttpAndMtls } from '../helpers/tls.js';

interface Upload {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly filename: string;
  readonly ndjson: string;
}

const BASIC = `Basic ${Buffer.from('analyst:s3cret').toString('base64')}`;
let ui: HttpAndMtls;
let url: string;
let tlsUrl: string;
let tlsDir: string;
let serverCert: SelfSigned;
let clientCert: SelfSigned;
let clientCertsSeen: (string | undefined)[] = [];
let uploads: Upload[] = [];
/** Saved objects "in OpenSearch Dashboards", per tenant: `type/id` → title. */
const stored = new Map<string, Map<string, string>>();
/** Whether the receiver wants credentials (the security plugin is on). */
let secured = false;

interface SavedObject {
  id: string;
  type: string;
  attributes: { title: string };
  references?: { type: string; id: string }[];
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const reply = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    const bad = (message: string) => reply(400, { statusCode: 400, error: 'Bad Request', message });
    if (secured && req.headers.authorization !== BASIC)
      return reply(401, { statusCode: 401, error: 'Unauthorized', message: 'Authentication required' });
    const path = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || path.pathname !== '/api/saved_objects/_import')
      return reply(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    if (req.headers['osd-xsrf'] === undefined) return bad('Request must contain a osd-xsrf header.');
    const part = filePart(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
    if (part === undefined) return bad('[request body.file]: expected value of type [Stream]');
    if (!part.filename.endsWith('.ndjson')) return bad(`Invalid file extension ${part.filename}`);
    uploads.push({ url: req.url ?? '', headers: req.headers, filename: part.filename, ndjson: part.body });
    const tenant = String(req.headers.securitytenant ?? 'default');
    const objects = stored.get(tenant) ?? new Map<string, string>();
    const list = part.body
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as SavedObject);
    const missing = missingReferences(list, objects);
    if (missing.length > 0) return reply(200, { success: false, successCount: 0, errors: missing });
    const problems = validateOsdNdjson(part.body, queryableFields());
    if (problems.length > 0) return bad(problems.join('; '));
    const overwrite = path.searchParams.get('overwrite') === 'true';
    const conflicts = list.filter((o) => objects.has(`${o.type}/${o.id}`));
    if (!overwrite && conflicts.length > 0)
      return reply(200, {
        success: false,
        successCount: list.length - conflicts.length,
        errors: conflicts.map((o) => ({
          id: o.id,
          type: o.type,
          title: o.attributes.title,
          error: { type: 'conflict' },
        })),
      });
    stored.set(tenant, objects);
    const successResults = list.map((o) => {
      const key = `${o.type}/${o.id}`;
      const existed = objects.has(key);
      objects.set(key, o.attributes.title);
      return {
        type: o.type,
        id: o.id,
        meta: { title: o.attributes.title },
        ...(existed ? { overwrite: true } : {}),
      };
    });
    reply(200, { success: true, successCount: successResults.length, successResults });
  });
}

/** OSD's per-object `missing_references` errors: references neither in the file nor stored. */
function missingReferences(list: readonly SavedObject[], existing: ReadonlyMap<string, string>) {
  const inFile = new Set(list.map((o) => `${o.type}/${o.id}`));
  return list.flatMap((o) => {
    const refs = (o.references ?? []).filter(
      (r) => !inFile.has(`${r.type}/${r.id}`) && !existing.has(`${r.type}/${r.id}`),
    );
    if (refs.length === 0) return [];
    const error = { type: 'missing_references', references: refs.map(({ type, id }) => ({ type, id })) };
    return [
      { id: o.id, type: o.type, title: o.attributes.title, meta: { title: o.attributes.title }, error },
    ];
  });
}

/** The `file` part of a multipart/form-data body: its filename and content. */
function filePart(body: string, contentType: string): { filename: string; body: string } | undefined {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) return undefined;
  for (const part of body.split(`--${boundary}`)) {
    const head = /Content-Disposition: form-data; name="file"; filename="([^"]+)"/i.exec(part);
    if (head === null) continue;
    return {
      filename: head[1] as string,
      body: part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, ''),
    };
  }
  return undefined;
}

beforeAll(async () => {
  ui = await startHttpAndMtls(handle, 'osd');
  ({ url, tlsUrl, dir: tlsDir, serverCert, clientCert, clientCertsSeen } = ui);
});

afterAll(() => ui.close());

beforeEach(() => {
  uploads = [];
  secured = false;
});

/** Runs the command in-process; its stdout as text. */
async function run(options: Parameters<typeof runSetupOpenSearchDashboards>[0]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await runSetupOpenSearchDashboards(options, { stdout, stderr });
  return { code, stdout: out };
}

const bundleSize = async () =>
  (
    await readFile(
      join(import.meta.dirname, '..', '..', 'dashboards', 'opensearch', 'gax-dashboards.ndjson'),
      'utf8',
    )
  )
    .trimEnd()
    .split('\n').length;

describe('gax setup opensearch-dashboards', () => {
  it('imports every bundled object into the tenant with osd-xsrf and reports each one as created', async () => {
    const r = await runCli(['setup', 'opensearch-dashboards', '--url', url, '--tenant', 'ops']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const objects = stored.get('ops') as Map<string, string>;
    expect(objects.size).toBe(await bundleSize());
    expect(r.stdout).toContain(`done: ${objects.size} objects imported, 0 failed, into ${url} tenant ops`);
    expect(r.stdout).toMatch(
      /index-pattern\s+3cbf2be0-468d-11f0-b4a4-334b5fac8391\s+created\s+apim_event_response\*/,
    );
    expect(r.stdout).toMatch(/dashboard\s+gax-osd-home\s+created\s+\[gax\] Home/);
    const [upload] = uploads;
    expect(upload?.url).toBe('/api/saved_objects/_import?overwrite=true');
    expect(upload?.headers['osd-xsrf']).toBe('true');
    expect(upload?.headers['kbn-xsrf']).toBeUndefined();
    expect(upload?.headers.securitytenant).toBe('ops');
    expect(upload?.filename).toBe('gax-dashboards.ndjson');
    expect(upload?.headers.authorization).toBeUndefined();
  });

  it('overwrites on a second run instead of duplicating', async () => {
    await run({ url, indexPrefix: 'apim_event', tenant: 'twice' });
    const size = stored.get('twice')?.size;
    const r = await run({ url, indexPrefix: 'apim_event', tenant: 'twice' });
    expect(r.code).toBe(0);
    expect(stored.get('twice')?.size).toBe(size);
    expect(r.stdout).not.toMatch(/\screated\s/);
    expect(r.stdout.match(/\soverwritten\s/g)?.length).toBe(size);
  });

  it('retitles the index patterns and the TSVB panels for another index prefix, ids unchanged', async () => {
    const r = await run({ url, indexPrefix: 'acme_apim', tenant: 'acme' });
    expect(r.code).toBe(0);
    const titles = [...(stored.get('acme') ?? new Map<string, string>()).entries()]
      .filter(([k]) => k.startsWith('index-pattern/'))
      .map(([, t]) => t)
      .sort();
    expect(titles).toEqual(['acme_apim*', 'acme_apim_faulty*', 'acme_apim_response*']);
    const upload = uploads[0]?.ndjson ?? '';
    expect(upload).toContain('\\"index_pattern\\":\\"acme_apim*\\"');
    expect(upload).not.toContain('\\"index_pattern\\":\\"apim_event');
    expect(
      withIndexPrefix('{"type":"visualization","id":"x","attributes":{"title":"apim_event x"}}', 'acme'),
    ).toContain('"apim_event x"');
  });

  it('titles the index patterns with the index prefix of the instance named by --instance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gax-osd-'));
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      'inputs: [{ paths: [a.log] }]\nplugins:\n  opensearch: { indexPrefix: hot_apim }\n  opensearch/archive: { indexPrefix: cold_apim }\n',
    );
    try {
      const r = await runCli([
        'setup',
        'opensearch-dashboards',
        '--url',
        url,
        '--tenant',
        'cold',
        '-c',
        config,
        '--instance',
        'opensearch/archive',
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

  it('sends credentials from the environment; refused without them', async () => {
    secured = true;
    const denied = await runCli(['setup', 'opensearch-dashboards', '--url', url]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('import failed: HTTP 401 Authentication required [GAX_ERR_SETUP_FAILED]');
    const r = await runCli(['setup', 'opensearch-dashboards', '--url', url, '--tenant', 'global'], {
      env: { OPENSEARCH_DASHBOARDS_USERNAME: 'analyst', OPENSEARCH_DASHBOARDS_PASSWORD: 's3cret' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(uploads.at(-1)?.headers.authorization).toBe(BASIC);
  });

  it('reports the objects the server refused, with the reason, and exits 1', async () => {
    const vis = {
      id: 'x',
      type: 'visualization',
      attributes: { title: 'Broken' },
      references: [{ type: 'index-pattern', id: 'nope', name: 'r' }],
    };
    const dir = await mkdtemp(join(tmpdir(), 'gax-osd-'));
    const file = join(dir, 'bad.ndjson');
    await writeFile(file, `${JSON.stringify(vis)}\n`);
    const r = await run({ url, indexPrefix: 'apim_event', file });
    await rm(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /visualization\s+x\s+FAILED\s+Broken \(missing_references: missing index-pattern\/nope\)/,
    );
    expect(r.stdout).toContain('done: 0 objects imported, 1 failed');
  });

  it('fails with a coded error when the server cannot be reached, and on usage errors', async () => {
    await expect(run({ url: 'http://127.0.0.1:9', indexPrefix: 'apim_event' })).rejects.toThrow(
      /cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
    const tenant = await runCli(['setup', 'opensearch-dashboards', '--url', url, '--tenant', 'a b']);
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toContain('--tenant must be a tenant name');
    const half = await runCli([
      'setup',
      'opensearch-dashboards',
      '--url',
      tlsUrl,
      '--cert-file',
      clientCert.certFile,
    ]);
    expect(half.code).not.toBe(0);
    expect(half.stderr).toContain('--cert-file and --key-file go together');
    expect(uploads).toEqual([]);
  });

  describe('over https', () => {
    it('refuses an untrusted certificate with the flag that fixes it', async () => {
      await expect(run({ url: tlsUrl, indexPrefix: 'apim_event' })).rejects.toThrow(
        /the server certificate is not trusted: give its CA with --ca-file/,
      );
      expect(uploads).toEqual([]);
    });

    it('imports with --ca-file and a client certificate', async () => {
      const seen = clientCertsSeen.length;
      const r = await run({
        url: tlsUrl,
        indexPrefix: 'apim_event',
        tenant: 'tls',
        tls: {
          rejectUnauthorized: true,
          caFile: serverCert.certFile,
          certFile: clientCert.certFile,
          keyFile: clientCert.keyFile,
        },
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`objects imported, 0 failed, into ${tlsUrl} tenant tls`);
      expect(clientCertsSeen.slice(seen)).toEqual(['127.0.0.1']);
    });

    it('skips verification only with --insecure, and says so', async () => {
      const r = await runCli([
        'setup',
        'opensearch-dashboards',
        '--url',
        tlsUrl,
        '--tenant',
        'insecure',
        '--insecure',
        '--cert-file',
        clientCert.certFile,
        '--key-file',
        clientCert.keyFile,
      ]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('[GAX_ERR_TLS_INSECURE]');
      expect(stored.get('insecure')?.size).toBe(await bundleSize());
    });

    it('names the flag of a file it cannot read', async () => {
      await expect(
        run({
          url: tlsUrl,
          indexPrefix: 'apim_event',
          tls: { rejectUnauthorized: true, caFile: join(tlsDir, 'nope.pem') },
        }),
      ).rejects.toThrow(/cannot read --ca-file .*nope\.pem \(ENOENT\)/);
    });
  });
});
