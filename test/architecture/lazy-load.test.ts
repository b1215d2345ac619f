/**
 * Plugin definitions (plugins/<type>/index.ts) are read by every command that reads a config, so
 * they must stay light: a backend client is loaded only when an instance of its plugin is
 * created. Each command below runs the built CLI with a module hook that records every module
 * Node resolves.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
let dir: string;

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.GAX_RESOLVED_LOG, result.url + '\\n');
  return result;
}`;

const REGISTER = (hooks: string) => `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});`;

/** Every module URL the CLI resolved while running `args`. */
async function loaded(args: readonly string[]): Promise<string[]> {
  const log = join(dir, `resolved-${Math.random().toString(36).slice(2)}.log`);
  await run(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args], {
    cwd: dir,
    env: { ...process.env, GAX_RESOLVED_LOG: log },
  }).catch((err: { code?: number }) => {
    if (err.code !== 0 && err.code !== 1) throw err;
  });
  return (await readFile(log, 'utf8')).trim().split('\n');
}

const client = (urls: readonly string[]) =>
  urls.filter((u) =>
    /@elastic\/elasticsearch|@datadog\/datadog-api-client|\/plugins\/[a-z-]+\/plugin\.js$/.test(u),
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-lazy-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(join(dir, 'register.mjs'), REGISTER(join(dir, 'hooks.mjs')));
  await writeFile(
    join(dir, 'gax.yaml'),
    'inputs: [{ paths: [./x.log] }]\nserver: { enabled: false }\nplugins:\n  prometheus: { enabled: false }\n  file: { enabled: true }\n',
  );
  await writeFile(join(dir, 'x.log'), '');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('commands load no backend client they do not use', () => {
  it('gax check-config reads every plugin definition and loads no plugin code', async () => {
    const urls = await loaded(['check-config', '-c', 'gax.yaml']);
    expect(urls.some((u) => u.endsWith('/plugins/elasticsearch/index.js'))).toBe(true);
    expect(client(urls)).toEqual([]);
  });

  it('gax parse loads no plugin code', async () => {
    const urls = await loaded(['parse', join(ROOT, 'examples', 'apim_metrics.log')]);
    expect(urls.some((u) => u.includes('/src/parsers/wso2-apim/'))).toBe(true);
    expect(client(urls)).toEqual([]);
  });

  it('gax --help, setup --help and --version load no plugin code', async () => {
    expect(client(await loaded(['--help']))).toEqual([]);
    expect(client(await loaded(['setup', '--help']))).toEqual([]);
    expect(client(await loaded(['--version']))).toEqual([]);
  });

  it('gax run with the file plugin loads its code and no other backend client', async () => {
    const log = join(dir, 'resolved-run.log');
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, 'run', '-c', 'gax.yaml'],
      {
        cwd: dir,
        env: { ...process.env, GAX_RESOLVED_LOG: log },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('Daemon started.')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const urls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(client(urls).map((u) => u.slice(u.indexOf('/plugins/')))).toEqual(['/plugins/file/plugin.js']);
  });
});
