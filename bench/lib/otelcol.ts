/**
 * The OpenTelemetry Collector, the peer of the `peer-otelcol` scenario: a binary with only the
 * contrib components it needs, built once with the OpenTelemetry Collector Builder from the Go
 * module proxy and cached outside the clone. The manifest is `bench/otelcol/builder-config.yaml`;
 * the builder's version is the manifest's `dist.version` (one release for every collector module).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The builder manifest, relative to the repo root. */
export const OTELCOL_MANIFEST = 'bench/otelcol/builder-config.yaml';

/** The binary's name (`dist.name` of the manifest). */
const BINARY = 'otelcol-gax';

/** A build downloads ~200 modules and compiles them: minutes on 2 cores, the first time. */
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** Where a built collector is kept and what identifies it. */
export interface OtelcolBuild {
  /** Release of every collector module, e.g. `0.165.0` (the manifest's `dist.version`). */
  version: string;
  /** `~/.cache/gax-bench/otelcol-<version>` (or under `$XDG_CACHE_HOME`). */
  dir: string;
  /** The binary in `dir`. */
  binary: string;
  /** sha256 of the manifest: a binary built from another manifest is rebuilt. */
  manifestHash: string;
}

/** The cached build for the manifest in `repoRoot` (whether it exists yet or not). */
export function otelcolBuild(repoRoot: string): OtelcolBuild {
  const manifest = readFileSync(join(repoRoot, OTELCOL_MANIFEST), 'utf8');
  const version = /^ {2}version: *(\S+)$/m.exec(manifest)?.[1];
  if (version === undefined) throw new Error(`${OTELCOL_MANIFEST}: no dist.version`);
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = join(cache, 'gax-bench', `otelcol-${version}`);
  return {
    version,
    dir,
    binary: join(dir, BINARY),
    manifestHash: createHash('sha256').update(manifest).digest('hex'),
  };
}

/** True when the cached binary exists and was built from the current manifest. */
export function otelcolCached(build: OtelcolBuild): boolean {
  const stamp = join(build.dir, 'manifest.sha256');
  return (
    existsSync(build.binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === build.manifestHash
  );
}

/** Why the collector cannot be had here (no cached binary and no Go to build one), or undefined. */
export function otelcolUnavailable(repoRoot: string): string | undefined {
  if (otelcolCached(otelcolBuild(repoRoot))) return undefined;
  const go = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 10_000 });
  if (go.error !== undefined || go.status !== 0) {
    return 'no cached OpenTelemetry Collector and no `go` on PATH to build one (bench/lib/otelcol.ts)';
  }
  return undefined;
}

/**
 * The collector's binary: the cached one, or built now (the builder installed with `go install`
 * into the cache dir, then run on the manifest with `output_path` in the cache dir). The build's
 * output goes to `<dir>/build.log`; a failed build throws with its last lines.
 */
export async function ensureOtelcol(repoRoot: string, log: (message: string) => void): Promise<string> {
  const build = otelcolBuild(repoRoot);
  if (otelcolCached(build)) return build.binary;
  await mkdir(build.dir, { recursive: true });
  // Test files in parallel workers (and a bench) may all find it missing: one builds, the others
  // wait for its lock and then find it built. A holder that died leaves a lock stale after 30 s.
  const { lock } = await import('proper-lockfile');
  const release = await lock(build.dir, {
    lockfilePath: join(build.dir, 'build.lock'),
    stale: 30_000,
    retries: { retries: BUILD_TIMEOUT_MS / 2_000, factor: 1, minTimeout: 2_000, maxTimeout: 2_000 },
  });
  try {
    if (otelcolCached(build)) return build.binary;
    await buildOtelcol(repoRoot, build, log);
    return build.binary;
  } finally {
    await release();
  }
}

/** Builds the collector into `build.dir` (the caller holds the build lock). */
async function buildOtelcol(
  repoRoot: string,
  build: OtelcolBuild,
  log: (message: string) => void,
): Promise<void> {
  const logPath = join(build.dir, 'build.log');
  await writeFile(logPath, '');
  const sources = join(build.dir, 'build');
  await rm(sources, { recursive: true, force: true });
  const manifest = (await readFile(join(repoRoot, OTELCOL_MANIFEST), 'utf8')).replace(
    /^ {2}output_path: .*$/m,
    `  output_path: ${sources}`,
  );
  const manifestPath = join(build.dir, 'builder-config.yaml');
  await writeFile(manifestPath, manifest);
  const bin = join(build.dir, 'bin');
  log(`building the OpenTelemetry Collector ${build.version} into ${build.dir} (once; log: ${logPath})`);
  await run('go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${build.version}`], logPath, {
    GOBIN: bin,
  });
  await run(join(bin, 'builder'), ['--config', manifestPath], logPath, {});
  await rename(join(sources, BINARY), build.binary);
  await writeFile(join(build.dir, 'manifest.sha256'), `${build.manifestHash}\n`);
  log(`built ${build.binary}`);
}

/** Runs a build step, appending its output to `logPath`; rejects with the log's last lines. */
function run(
  command: string,
  args: readonly string[],
  logPath: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logPath, { flags: 'a' });
    out.write(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      out.end();
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      out.end(() => {
        if (code === 0) {
          resolve();
          return;
        }
        const tail = readFileSync(logPath, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '' && !l.startsWith('go: downloading'))
          .slice(-4)
          .join(' / ');
        reject(
          new Error(`${command} ${args[0] ?? ''} failed (${String(code ?? signal)}; ${logPath}): ${tail}`),
        );
      });
    });
  });
}
