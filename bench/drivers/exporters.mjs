// The two Prometheus exporters of metrics-latency.mjs as child processes that follow one log file
// and serve /metrics on 127.0.0.1, each on a free port it picks itself (port 0) and logs:
// - gax: `node dist/src/cli.js run` (needs `npm run build`) with its defaults except the input
//   path, a temp state dir, `server.port: 0` and only the prometheus plugin;
// - mtail: `mtail --progs bench/mtail --logs FILE` with its defaults (it polls the file every
//   `--poll_interval`, 250 ms, and the glob every `--poll_log_interval`, 250 ms).
// Each is stopped by its PID (SIGTERM, then SIGKILL after 10 s).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../dist/src/config/load.js';
import { scrape } from './scrape.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** gax's config for `log`: JSON is YAML. Returns `{ yaml, config }` (config = resolved defaults). */
export function gaxConfig(log, stateDir) {
  const yaml = JSON.stringify({
    inputs: [{ paths: [log] }],
    state: { dir: stateDir },
    server: { host: '127.0.0.1', port: 0 },
    plugins: { file: { enabled: false }, prometheus: { enabled: true } },
  });
  const parsed = parseConfig(yaml, { env: {} });
  if (!parsed.ok) throw new Error(`bench config rejected: ${JSON.stringify(parsed.problems)}`);
  return { yaml, config: parsed.config };
}

/** Starts `gax run` on `log`; resolves `{ name, pid, url, stop }` once /metrics answers. */
export async function startGax({ dir, log }) {
  const path = join(dir, 'gax.yaml');
  await writeFile(path, gaxConfig(log, join(dir, 'state')).yaml);
  const child = spawn(process.execPath, [join(REPO, 'dist/src/cli.js'), 'run', '--config', path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // pino JSON on stdout: {"url":"http://127.0.0.1:PORT","msg":"HTTP server listening."}
  const url = await announced(child, 'stdout', (line) => {
    if (!line.includes('"HTTP server listening."')) return undefined;
    return JSON.parse(line).url;
  });
  return running('gax', child, url);
}

/** Starts mtail following `log`; resolves `{ name, pid, url, stop }` once /metrics answers. */
export async function startMtail({ log }) {
  const child = spawn(
    'mtail',
    [
      '--progs',
      join(REPO, 'bench/mtail'),
      '--logs',
      log,
      '--logtostderr',
      '--address',
      '127.0.0.1',
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // glog on stderr: "I1123 … mtail.go:126] Listening on 127.0.0.1:PORT"
  const url = await announced(child, 'stderr', (line) => {
    const m = /Listening on (127\.0\.0\.1:\d+)/.exec(line);
    return m === null ? undefined : `http://${m[1]}`;
  });
  return running('mtail', child, url);
}

/** Reads `stream` line by line until `pick(line)` gives the URL; keeps draining it afterwards. */
function announced(child, stream, pick) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let tail = '';
    let found = false;
    let timer;
    const fail = (why) => {
      clearTimeout(timer);
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${child.spawnfile}: ${why}; output: ${tail.slice(-500)}`));
    };
    timer = setTimeout(() => fail(`no listening address within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => {
      if (!found) fail(`exited with ${code} before listening`);
    });
    child[stream === 'stdout' ? 'stderr' : 'stdout'].on('data', (chunk) => {
      tail = (tail + chunk).slice(-2000);
    });
    child[stream].setEncoding('utf8').on('data', (chunk) => {
      if (found) return;
      tail = (tail + chunk).slice(-2000);
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl !== -1 && !found) {
        const url = pick(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        if (url !== undefined) {
          found = true;
          clearTimeout(timer);
          resolve(url);
        }
      }
    });
  });
}

async function running(name, child, url) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const pid = child.pid;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const killer = setTimeout(() => process.kill(pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const until = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const ok = await scrape(`${url}/metrics`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() > until) {
      await stop();
      throw new Error(`${name}: ${url}/metrics did not answer 200`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, pid, url, stop };
}
