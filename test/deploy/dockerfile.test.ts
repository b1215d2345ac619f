import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { packageVersion } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';
import { dockerignore, parseDockerfile } from './dockerfile.js';
import { checkDockerfile, configPathOf, finalStage, type ImageFacts } from './image.js';
import { filesIn, startGax, statusOf } from './run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = join(ROOT, 'deploy/docker/Dockerfile');
const text = readFileSync(DOCKERFILE, 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: { gax: string };
  dependencies: Record<string, string>;
};
const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
  compilerOptions: { outDir: string };
};
const ignored = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const facts: ImageFacts = { root: ROOT, ignored, bin: pkg.bin.gax, outDir: tsconfig.compilerOptions.outDir };
const final = finalStage(parseDockerfile(text));
const configInImage = configPathOf(final) ?? '';
const configSource = final.placements.find((p) => p.imagePath === configInImage)?.repoPath ?? '';

describe('deploy/docker/Dockerfile (static: no Docker engine here)', () => {
  it('builds in stages and runs a slim, non-root, health-checked image of the compiled CLI', () => {
    expect(checkDockerfile(parseDockerfile(text), facts)).toEqual([]);
  });

  it.each([
    ['USER 10001:10001', 'USER 0', 'USER is root'],
    ['USER 10001:10001', 'USER gax', 'not a numeric uid'],
    ['HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\\n', '', 'HEALTHCHECK'],
    ['"/opt/gax/healthcheck.mjs"', '"/opt/gax/missing.mjs"', 'does not run a copied script'],
    ['COPY examples ./examples', 'COPY docs ./docs', 'excluded by .dockerignore'],
    ['COPY schemas ./schemas', 'COPY schemata ./schemas', 'schemata does not exist'],
    ['"dist/src/cli.js"]', '"dist/cli.js"]', 'ENTRYPOINT'],
    [' \\\n && npm prune --omit=dev', '', 'npm prune --omit=dev'],
    ['/src/dist ./dist', '/src/build ./dist', 'does not produce it'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NODE_IMAGE} is Dockerfile syntax
    ['FROM ${NODE_IMAGE} AS runtime', 'FROM node:20 AS runtime', 'not a slim'],
    ['CMD ["run", "--config", "/etc/gax/config.yaml"]', 'CMD ["run"]', 'names no --config'],
  ])('reports a Dockerfile with %j changed to %j', (from, to, problem) => {
    expect(text).toContain(from);
    const problems = checkDockerfile(parseDockerfile(text.replace(from, to)), facts);
    expect(problems.join('\n')).toContain(problem);
  });

  it.each([
    ['node_modules/pino/package.json', true],
    ['dist/src/cli.js', true],
    ['.git/HEAD', true],
    ['data/checkpoint.json', true],
    ['deploy/kubernetes/base/gax.yaml', true],
    ['test/deploy/dockerfile.test.ts', true],
    ['src/cli.ts', false],
    ['package-lock.json', false],
    ['deploy/docker/config.yaml', false],
  ])('.dockerignore leaves %s out of the build context: %s', (path, out) => {
    expect(ignored(path)).toBe(out);
  });

  it('runs only packages the production install keeps: every import in dist/ is a dependency', () => {
    const specifiers = new Set<string>();
    for (const dir of ['dist/src', 'dist/plugins']) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.js')) continue;
        const js = readFileSync(join(ROOT, dir, file), 'utf8');
        for (const m of js.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) specifiers.add(m[1] ?? '');
      }
    }
    const packages = [...specifiers]
      .filter((s) => !s.startsWith('node:'))
      .map((s) =>
        s
          .split('/')
          .slice(0, s.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    expect(packages.length).toBeGreaterThan(5);
    expect(packages.filter((p) => pkg.dependencies[p] === undefined)).toEqual([]);
  });

  it('ships a default config that gax check-config accepts, with its state on the image VOLUME', async () => {
    expect(configSource).toBe('deploy/docker/config.yaml');
    const result = await runCli(['check-config', '--config', join(ROOT, configSource)]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('GAX_ERR');
    expect(result.code).toBe(0);
    const loaded = parseConfig(readFileSync(join(ROOT, configSource), 'utf8'), { env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const { state, server, plugins } = loaded.config;
    const uid = final.user?.split(':')[0] ?? '';
    expect(final.volumes).toContain(state.dir);
    expect(final.runs.join('\n')).toMatch(new RegExp(`chown ${uid}(:\\d+)? ${state.dir}\\b`));
    expect(plugins.file.enabled).toBe(false);
    expect(server.host).toBe('0.0.0.0');
    expect(final.exposed).toContain(server.port);
    const healthcheck = readFileSync(join(ROOT, 'deploy/docker/healthcheck.mjs'), 'utf8');
    expect(healthcheck).toContain(`'http://127.0.0.1:${server.port}/healthz'`);
  });
});

describe('the final stage, laid out from its COPY lines and run', () => {
  let image: string;
  beforeAll(async () => {
    image = await mkdtemp(join(tmpdir(), 'gax-image-'));
    for (const p of final.placements) {
      const target = join(image, p.imagePath);
      await mkdir(dirname(target), { recursive: true });
      // The build stage's /src is this repository after `npm run build` (global setup).
      if (posix.basename(p.repoPath) === 'node_modules') await symlink(join(ROOT, p.repoPath), target);
      else await cp(join(ROOT, p.repoPath), target, { recursive: true });
    }
    for (const volume of final.volumes) await mkdir(join(image, volume), { recursive: true });
  });
  afterAll(async () => {
    await rm(image, { recursive: true, force: true });
  });

  const entry = (): { script: string; cwd: string } => ({
    script: final.entrypoint[1] ?? '',
    cwd: join(image, final.workdir),
  });

  it('answers --version through ENTRYPOINT from WORKDIR', () => {
    const { script, cwd } = entry();
    const result = spawnSync(process.execPath, [script, '--version'], { cwd, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(packageVersion());
  });

  it('runs CMD: tails the log, serves /metrics, passes HEALTHCHECK, writes only to its volume', async () => {
    const { script, cwd } = entry();
    const state = final.volumes[0] ?? '';
    const config = join(image, 'etc/gax/test.yaml');
    const original = await readFile(join(image, configInImage), 'utf8');
    await writeFile(config, original.replaceAll(state, join(image, state)).replace(/port: \d+/, 'port: 0'));
    const log = join(image, 'var/log/wso2/apim_metrics.log');
    await mkdir(dirname(log), { recursive: true });
    await writeFile(log, '');
    const before = await filesIn(image);
    const args = final.cmd.map((a) => (a === configInImage ? config : a));
    const env = { GAX_LOG_PATH: log, GAX_SERVER_HOST: '127.0.0.1' };
    const daemon = await startGax(script, args, { cwd, env });
    const healthcheck = (): number | null =>
      spawnSync(process.execPath, [join(image, final.healthcheck?.[1] ?? '')], {
        env: { ...process.env, GAX_HEALTHCHECK_URL: `${daemon.url}/healthz` },
      }).status;
    try {
      expect(healthcheck()).toBe(0);
      await appendFile(log, `${responseLine('image-1', { requestTimestamp: new Date().toISOString() })}\n`);
      await waitFor(
        async () => (await (await fetch(`${daemon.url}/metrics`)).text()).includes('apim_requests_total{'),
        10_000,
        'the event on /metrics',
      );
      expect(await statusOf(`${daemon.url}/readyz`)).toBe(200);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(healthcheck()).toBe(1);
    const written = (await filesIn(image)).filter((f) => !before.includes(f));
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((f) => !f.startsWith(state.slice(1)))).toEqual([]);
  });
});
