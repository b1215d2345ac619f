/**
 * Issue 16's proof: a plugin is one folder plus one line in plugins/index.ts, an input format one
 * folder plus one line in src/parsers/index.ts. The project is copied to a temporary directory,
 * the throwaway fixtures of test/fixtures/extension/ are dropped in with their registry lines and
 * nothing else, and both are used as a user would: config validation, `check-config --print`, the
 * generated docs and example, `gax parse --format`, and a `gax run` delivering through both.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraph, violations } from '../../scripts/boundaries.js';
import { ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
const FIXTURES = join(ROOT, 'test', 'fixtures', 'extension');
const COPIED = [
  'src',
  'plugins',
  'scripts',
  'docs',
  'schemas',
  'examples',
  'config.example.yaml',
  'package.json',
  'tsconfig.json',
];

let copy: string;

/**
 * Adds `importLine` after the root's last import and `name` to the end of its list: a one-line
 * list (`= [a, b] as const;`) gets `, name` before its `]`, a list with one entry per line (as the
 * formatter lays out a long one) gets a line `  name,` before its closing `] as const;`.
 */
async function register(file: string, importLine: string, name: string): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const lastImport = lines.findLastIndex((l) => l.startsWith('import '));
  lines.splice(lastImport + 1, 0, importLine);
  const oneLine = lines.findIndex((l) => / = \[.*\] as const;$/.test(l));
  if (oneLine >= 0) {
    lines[oneLine] = (lines[oneLine] as string).replace(/\] as const;$/, `, ${name}] as const;`);
  } else {
    lines.splice(lines.indexOf('] as const;'), 0, `  ${name},`);
  }
  await writeFile(file, lines.join('\n'));
}

/** Lines of `after` not in `before`, and of `before` not in `after`. */
async function changedLines(relative: string): Promise<{ added: string[]; removed: string[] }> {
  const before = (await readFile(join(ROOT, relative), 'utf8')).split('\n');
  const after = (await readFile(join(copy, relative), 'utf8')).split('\n');
  return {
    added: after.filter((l) => !before.includes(l)),
    removed: before.filter((l) => !after.includes(l)),
  };
}

/** `gax` of the copy, run from its TypeScript sources. */
function gax(args: readonly string[], cwd = join(copy, 'work')) {
  return run(process.execPath, ['--import', 'tsx', join(copy, 'src', 'cli.ts'), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: err.code ?? -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }),
  );
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'gax-extension-'));
  for (const entry of COPIED) await cp(join(ROOT, entry), join(copy, entry), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  await cp(join(FIXTURES, 'plugins', 'echo'), join(copy, 'plugins', 'echo'), { recursive: true });
  await cp(join(FIXTURES, 'parsers', 'pipe-log'), join(copy, 'src', 'parsers', 'pipe-log'), {
    recursive: true,
  });
  await register(
    join(copy, 'plugins', 'index.ts'),
    "import { echoPlugin } from './echo/index.js';",
    'echoPlugin',
  );
  await register(
    join(copy, 'src', 'parsers', 'index.ts'),
    "import { pipeLogFormat } from './pipe-log/index.js';",
    'pipeLogFormat',
  );
  await mkdir(join(copy, 'work', 'logs'), { recursive: true });
}, 60_000);

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

describe('a throwaway plugin folder and a throwaway format folder', () => {
  it('need one line each in their composition root and nothing else', async () => {
    expect(await changedLines('plugins/index.ts')).toEqual({
      added: ["import { echoPlugin } from './echo/index.js';", '  echoPlugin,'],
      removed: [],
    });
    expect((await changedLines('src/parsers/index.ts')).added).toEqual([
      "import { pipeLogFormat } from './pipe-log/index.js';",
      'export const formats = [wso2ApimFormat, pipeLogFormat] as const;',
    ]);
  });

  it('type-check with the project and keep its import boundaries', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await run(process.execPath, [
      tsc,
      '-p',
      join(copy, 'tsconfig.json'),
      '--noEmit',
    ]).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    expect(stdout).toBe('');
    const graph = importGraph(copy);
    expect(graph).toContainEqual({ from: 'plugins/index.ts', to: 'plugins/echo/index.ts' });
    expect(violations(graph)).toEqual([]);
  }, 120_000);
});

const LOG = [
  '# pipe-log: time|method|path|status|latencyMs|requestId|backendStatus',
  '2026-12-07T08:00:00.000Z|GET|/orders|200|12|req-1|200',
  '',
  '2026-12-07T08:00:01.000Z|GET|/orders|401|2|req-2|-',
  'not|a|pipe|line',
  '2026-12-07T08:00:02.000Z|POST|/orders|201|30|req-3|201',
].join('\n');

function config(echo: string): string {
  return [
    'inputs:',
    '  - format: pipe-log',
    '    paths: [./logs/access.log]',
    '    hostName: gw-7',
    '    pollIntervalMs: 20',
    'state: { dir: ./state }',
    'server: { host: 127.0.0.1, port: 0 }',
    'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 3000 }',
    'plugins:',
    '  prometheus: { enabled: false }',
    `  echo: ${echo}`,
    '  echo/second: { path: ./out/second.txt, prefix: two }',
    '',
  ].join('\n');
}

describe('used as a user would', () => {
  beforeAll(async () => {
    await writeFile(join(copy, 'work', 'logs', 'access.log'), `${LOG}\n`);
    await writeFile(
      join(copy, 'work', 'gax.yaml'),
      config('{ enabled: true, path: ./out/first.txt, prefix: one }'),
    );
    await writeFile(join(copy, 'work', 'bad.yaml'), config('{ enabled: true, prefix: 3, colour: red }'));
  });

  it('validates the new section and format: check-config --print shows both with defaults', async () => {
    const { code, stdout, stderr } = await gax(['check-config', '-c', 'gax.yaml', '--print']);
    expect(stderr).not.toContain('GAX_ERR');
    expect(code).toBe(0);
    expect(stdout).toContain('format: pipe-log');
    expect(stdout).toMatch(
      /\n {2}echo:\n {4}enabled: true\n {4}maxEventAge: 0s\n {4}path: .*\/work\/out\/first\.txt\n {4}prefix: one\n/,
    );
    expect(stdout).toMatch(/\n {2}echo\/second:\n {4}enabled: true\n/);
  }, 60_000);

  it("describes each echo instance in check-config, from the plugin's describe", async () => {
    const { code, stdout } = await gax(['check-config', '-c', 'gax.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}echo: echo to .*\/work\/out\/first\.txt$/m);
    expect(stdout).toMatch(/^ {2}echo\/second: echo to .*\/work\/out\/second\.txt$/m);
  }, 60_000);

  it('adds gax setup echo, which works on a named instance', async () => {
    const help = await gax(['setup', '--help']);
    expect(help.stdout).toMatch(/^ {2}echo \[options\] +Print the file an echo instance writes to\.$/m);
    const { code, stdout } = await gax(['setup', 'echo', '-c', 'gax.yaml', '--instance', 'echo/second']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^echo\/second echoes to .*\/work\/out\/second\.txt$/m);
  }, 60_000);

  it('rejects a bad echo section with the path of every problem', async () => {
    const { code, stderr } = await gax(['check-config', '-c', 'bad.yaml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^bad\.yaml:11:\d+ plugins\.echo\.prefix: must be a string \[GAX_ERR_CONFIG_INVALID\]$/m,
    );
    expect(stderr).toMatch(
      /^bad\.yaml:11:\d+ plugins\.echo\.colour: unknown key "colour" \[GAX_ERR_CONFIG_INVALID\]$/m,
    );
  }, 60_000);

  it('generates the docs, the JSON Schema and the example with the new section and format', async () => {
    await run(process.execPath, ['--import', 'tsx', join(copy, 'scripts', 'gen-config-schema.ts')], {
      cwd: copy,
    });
    const docs = await readFile(join(copy, 'docs', 'configuration.md'), 'utf8');
    expect(docs).toContain('## `plugins.echo`');
    expect(docs).toContain('| `prefix` | string | `"echo"` | First word of every echoed line. |');
    expect(docs).toContain('`pipe-log` (a pipe-separated access log (test fixture))');
    const schema = JSON.parse(await readFile(join(copy, 'schemas', 'config.schema.json'), 'utf8'));
    expect(Object.keys(schema.properties.plugins.properties)).toContain('echo');
    const example = await readFile(join(copy, 'config.example.yaml'), 'utf8');
    expect(example).toContain('\n  echo:\n    enabled: false\n');
    const check = await run(
      process.execPath,
      ['--import', 'tsx', join(copy, 'scripts', 'gen-config-schema.ts'), '--check'],
      { cwd: copy },
    );
    expect(check.stderr).toBe('');
  }, 60_000);

  it('checks that the plugin documents its metrics in its own README', async () => {
    const script = join(copy, 'scripts', 'metrics-docs.ts');
    const ok = await run(process.execPath, ['--import', 'tsx', script], { cwd: copy });
    expect(ok.stderr).toBe('');
    const readme = join(copy, 'plugins', 'echo', 'README.md');
    const text = await readFile(readme, 'utf8');
    await writeFile(readme, text.replace('`gax_echo_lines_total`', 'a counter'));
    const failed = await run(process.execPath, ['--import', 'tsx', script], { cwd: copy }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    await writeFile(readme, text);
    expect(failed).toMatchObject({
      code: 1,
      stderr: 'undocumented metric: gax_echo_lines_total (plugins/echo/README.md)\n',
    });
  }, 60_000);

  it('parses the new format with gax parse --format', async () => {
    const { code, stdout, stderr } = await gax(['parse', '--format', 'pipe-log', 'logs/access.log']);
    expect(code).toBe(1); // one rejected line
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.correlationId, e.eventType, e.gateway.type])).toEqual([
      ['req-1', 'response', 'pipe-log'],
      ['req-2', 'faulty', 'pipe-log'],
      ['req-3', 'response', 'pipe-log'],
    ]);
    expect(events[0].host).toBeUndefined(); // files from elsewhere: no host name is made up
    expect(stderr).toContain('wrong_field_count');
  }, 60_000);

  it('runs: gax run reads the format and delivers every event through both echo instances', async () => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(copy, 'src', 'cli.ts'), 'run', '-c', 'gax.yaml'],
      {
        cwd: join(copy, 'work'),
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let log = '';
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const want = ['req-1 response 200', 'req-2 faulty 401', 'req-3 response 201'];
    const read = (name: string) => readFile(join(copy, 'work', 'out', name), 'utf8').catch(() => '');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await read('second.txt')).split('\n').length <= want.length) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1];
    const metrics = await (await fetch(`${url}/metrics`)).text();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(metrics).toContain('gax_echo_lines_total{plugin="echo"} 3');
    expect(metrics).toContain('gax_echo_lines_total{plugin="echo/second"} 3');
    expect(metrics).toMatch(/gax_events_delivered_total\{plugin="echo\/second"\} 3/);
    expect(await read('first.txt')).toBe(want.map((w) => `one pipe-log gw-7 ${w}\n`).join(''));
    expect(await read('second.txt')).toBe(want.map((w) => `two pipe-log gw-7 ${w}\n`).join(''));
    const checkpoint = JSON.parse(await readFile(join(copy, 'work', 'state', 'checkpoint.json'), 'utf8'));
    expect(Object.keys(checkpoint.plugins).sort()).toEqual(['echo', 'echo/second']);
    const dead = await readFile(join(copy, 'work', 'state', 'dead-letter.ndjson'), 'utf8');
    expect(dead).toContain('"reason":"wrong_field_count"');
  }, 60_000);
});
