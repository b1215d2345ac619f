/**
 * Read-only root filesystem: the daemon writes only to `state.dir`, the dead-letter path and
 * plugin output paths. Checked with strace on the built `gax run`, every plugin enabled (loopback
 * Elasticsearch and Datadog), a rejected line (dead letter), a checkpoint and a clean stop: every
 * syscall that creates, opens for writing, renames, removes or changes a file must name a path
 * under one of those directories. HOME, TMPDIR and the working directory point elsewhere, so a
 * temp or cache file anywhere would show up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackage, versionLine } from '../helpers/apt.js';
import { CLI } from '../helpers/cli.js';
import { readNdjson, waitFor } from '../helpers/daemon.js';
import { responseLine, truncatedLine } from '../helpers/lines.js';
import { type LoopbackListener, listenOnLoopback } from '../helpers/loopback.js';

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;
/** Syscalls that change the filesystem by path; open/openat/creat only with a write flag. */
const CHANGES = new Set([
  'creat',
  'mkdir',
  'mkdirat',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'rmdir',
  'truncate',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'chmod',
  'fchmodat',
  'chown',
  'lchown',
  'fchownat',
  'utimensat',
  'mknod',
  'mknodat',
]);

/** `[syscall, path]` for every path a filesystem-changing syscall in an strace log names. */
function writtenPaths(trace: string, cwd: string): [string, string][] {
  const found: [string, string][] = [];
  for (const line of trace.split('\n')) {
    const call = /^(?:\d+\s+)?([a-z0-9_]+)\((.*)$/.exec(line);
    if (call === null) continue;
    const [, name = '', args = ''] = call;
    const paths = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
    const opens = name === 'open' || name === 'openat' || name === 'openat2';
    if (opens ? !WRITE_FLAGS.test(args) : !CHANGES.has(name)) continue;
    for (const path of opens ? paths.slice(0, 1) : paths) found.push([name, resolve(cwd, path)]);
  }
  return found;
}

let dir: string;
let es: LoopbackListener;
let dd: LoopbackListener;
let gax: ChildProcess | undefined;

beforeAll(async () => {
  // strace is a Debian package; CI machines start fresh, so it is installed when missing.
  await ensureDebianPackage('strace', () => versionLine('strace', ['-V']));
  dir = await mkdtemp(join(tmpdir(), 'gax-writes-'));
  const ok = (status: number, body: string, headers: Record<string, string> = {}) =>
    createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/_bulk') === true) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
          res.end(JSON.stringify({ errors: false, items: [{ create: { status: 201 } }] }));
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
      });
    });
  es = await listenOnLoopback(ok(200, '{}', { 'x-elastic-product': 'Elasticsearch' }));
  dd = await listenOnLoopback(ok(202, '{"errors":[]}'));
});

afterAll(async () => {
  if (gax?.exitCode === null) gax.kill('SIGKILL');
  await Promise.all([es?.close(), dd?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('read-only root filesystem', () => {
  it('writes nothing outside state.dir, the dead-letter path and the file plugin output', async () => {
    for (const d of ['logs', 'elsewhere/home', 'elsewhere/tmp', 'elsewhere/cwd']) {
      await mkdir(join(dir, d), { recursive: true });
    }
    const now = new Date().toISOString();
    await writeFile(
      join(dir, 'logs', 'apim_metrics.log'),
      `${responseLine('r1', { requestTimestamp: now })}\n${truncatedLine('bad')}\n`,
    );
    const allowed = ['state', 'dead-letters', 'out'].map((d) => join(dir, d));
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      [
        `inputs: [{ paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics.log'))}], pollIntervalMs: 20 }]`,
        `state: { dir: ${JSON.stringify(allowed[0])} }`,
        'server: { host: 127.0.0.1, port: 0 }',
        `pipeline: { batchMaxWaitMs: 10, deadLetter: { path: ${JSON.stringify(join(dir, 'dead-letters', 'dlq.ndjson'))} } }`,
        'log: { level: info, format: json }',
        'plugins:',
        `  file: { enabled: true, path: ${JSON.stringify(join(dir, 'out', 'events.ndjson'))} }`,
        '  prometheus: { enabled: true, maxEventAge: 0s }',
        `  elasticsearch: { enabled: true, node: "http://127.0.0.1:${es.port}" }`,
        `  datadog: { enabled: true, url: "http://127.0.0.1:${dd.port}", apiKey: "\${DD_API_KEY}", flushIntervalSeconds: 1 }`,
      ].join('\n'),
    );
    const traceFile = join(dir, 'strace.log');
    const cwd = join(dir, 'elsewhere', 'cwd');
    const child = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=%file',
        '-e',
        'signal=none',
        '-o',
        traceFile,
        process.execPath,
        CLI,
        'run',
        '-c',
        config,
      ],
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: join(dir, 'elsewhere', 'home'),
          TMPDIR: join(dir, 'elsewhere', 'tmp'),
          DD_API_KEY: 'dd-writes-test-key',
        },
        stdio: 'ignore',
      },
    );
    gax = child;
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const dead = join(dir, 'dead-letters', 'dlq.ndjson');
    await waitFor(
      async () =>
        (await readNdjson(join(dir, 'out', 'events.ndjson'))).length === 1 &&
        (await readNdjson(dead)).length === 1,
      20_000,
      'the event delivered and the bad line dead-lettered',
    );
    await new Promise((r) => setTimeout(r, 1500)); // a checkpoint write and a Datadog flush
    // Stop gax itself (the first process strace started), not strace: strace then exits with it.
    const trace = await readFile(traceFile, 'utf8');
    const pid = Number(/^(\d+)\s/.exec(trace)?.[1]);
    process.kill(pid, 'SIGTERM');
    expect(await exited).toBe(0);

    const writes = writtenPaths(await readFile(traceFile, 'utf8'), cwd);
    const outside = writes.filter(([, path]) => !allowed.some((a) => path === a || path.startsWith(`${a}/`)));
    expect(outside).toEqual([]);
    // The check saw the writes it allows (so it parses strace's output at all).
    expect(writes.map(([, p]) => p)).toEqual(
      expect.arrayContaining([
        join(allowed[0] as string, 'checkpoint.json'),
        dead,
        join(dir, 'out', 'events.ndjson'),
      ]),
    );
  });
});
