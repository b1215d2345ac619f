import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/version.js';
import { CLI, runCli, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon.js';
import { faultyLine, responseLine, truncatedLine } from '../helpers/lines.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gax command line', () => {
  it('prints help listing every command and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'check-config', 'parse', 'demo', 'replay', 'dlq'])
      expect(result.stdout).toContain(command);
  });

  it.each([
    [['--version']],
    [['parse', '--version']],
    [['run', '-V']],
    [['check-config', '--version']],
    [['demo', '--version']],
  ])('prints the version for %j', async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(packageVersion());
  });

  it.each([
    [['parse', '--help']],
    [['run', '--help']],
    [['check-config', '--help']],
  ])('prints command help for %j', async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: gax /);
  });

  it.each([
    [['nonsense']],
    [['parse']],
    [['run']],
    [['parse', '--max-line-bytes', 'x', 'f.log']],
  ])('exits 2 on the usage error %j', async (args) => {
    const result = await runCli(args, { env: { GAX_CONFIG: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr.length).toBeGreaterThan(0);
  });

  it('exits 0 quietly when the reader of its output closes the pipe early (`| head`)', async () => {
    const child = spawn(process.execPath, [CLI, 'setup', 'datadog', '--print'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.destroy(); // the reader is gone before the first write
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('parses a log to NDJSON on stdout and exits 0 when nothing was rejected', async () => {
    const log = join(dir, 'a.log');
    await writeFile(log, `${responseLine('r1')}\n${faultyLine('f1')}\n`);
    const result = await runCli(['parse', log]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { correlationId: string });
    expect(events.map((e) => e.correlationId)).toEqual(['r1', 'f1']);
    expect(result.stderr).toBe('');
  });

  it('reports rejected lines on stderr as JSON objects and exits 1', async () => {
    const log = join(dir, 'bad.log');
    await writeFile(log, `${responseLine('r1')}\n${truncatedLine('x')}\n`);
    const result = await runCli(['parse', log]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr.trim())).toMatchObject({ file: log, line: 2, reason: 'truncated_json' });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 for a missing input file', async () => {
    const result = await runCli(['parse', join(dir, 'missing.log')]);
    expect(result.code).toBe(2);
  });

  it('reports all three mistakes of a config with their paths and exits 2', async () => {
    const config = join(dir, 'bad.yaml');
    await writeFile(
      config,
      [
        'inputs:',
        '  - paths: [x.log]',
        '    from: middle',
        'server:',
        '  port: 70000',
        'plugins:',
        '  elasticsearch:',
        '    nodes: http://x',
        '',
      ].join('\n'),
    );
    const result = await runCli(['check-config', '--config', config]);
    expect(result.code).toBe(2);
    const text = result.stdout + result.stderr;
    expect(text).toContain('inputs[0].from');
    expect(text).toContain('server.port');
    expect(text).toContain('plugins.elasticsearch.nodes');
  });

  it('accepts config.example.yaml', async () => {
    const result = await runCli(['check-config', '--config', 'config.example.yaml']);
    expect(result.code).toBe(0);
  });

  it('runs the daemon until SIGTERM, then flushes, checkpoints and exits 0', async () => {
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${responseLine('r1')}\n${faultyLine('f1')}\n`);
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      [
        'inputs: [{ paths: [logs/apim_metrics*.log], pollIntervalMs: 20 }]',
        'state: { dir: state }',
        'server: { host: 127.0.0.1, port: 0 }',
        'log: { level: info, format: json }',
        'plugins: { file: { enabled: true, path: out/events.ndjson }, prometheus: { enabled: true } }',
        '',
      ].join('\n'),
    );
    const daemon = startCli(['run', '--config', config]);
    let url = '';
    await waitFor(
      () => {
        const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(daemon.output());
        url = match?.[1] ?? '';
        return url !== '';
      },
      15_000,
      'the daemon to listen',
    );
    await waitFor(
      async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
      15_000,
      'ready',
    );
    await waitFor(
      async () =>
        (await readFile(join(dir, 'out', 'events.ndjson'), 'utf8').catch(() => '')).split('\n').length === 3,
    );
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const checkpoint = JSON.parse(await readFile(join(dir, 'state', 'checkpoint.json'), 'utf8')) as {
      plugins: Record<string, { files: object }>;
    };
    expect(Object.keys(checkpoint.plugins.file?.files ?? {})).toHaveLength(1);
    expect(daemon.output()).toContain('Daemon stopped.');
  });

  it('logs the config’s contradictions at start (prometheus without the server), and runs anyway', async () => {
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${responseLine('r1')}\n`);
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      [
        'inputs: [{ paths: [logs/apim_metrics.log], pollIntervalMs: 20 }]',
        'state: { dir: state }',
        'server: { enabled: false }',
        'log: { level: info, format: json }',
        'plugins: { file: { enabled: true, path: out/events.ndjson }, prometheus: { enabled: true } }',
        '',
      ].join('\n'),
    );
    const daemon = startCli(['run', '--config', config]);
    await waitFor(() => daemon.output().includes('Daemon started.'), 15_000, 'the daemon to start');
    const warning = daemon
      .output()
      .split('\n')
      .find((l) => l.includes('Configuration warning.'));
    expect(JSON.parse(warning ?? '{}')).toMatchObject({
      level: 40,
      code: 'GAX_ERR_CONFIG_CONFLICT',
      warning: expect.stringContaining('plugins.prometheus.enabled: the prometheus plugin is served'),
    });
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });

  it('exits at once with 130 on a second signal while a plugin is still retrying', async () => {
    await mkdir(join(dir, 'logs'));
    await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${responseLine('r1')}\n`);
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      [
        'inputs: [{ paths: [logs/apim_metrics.log], pollIntervalMs: 20 }]',
        'state: { dir: state }',
        'server: { enabled: false }',
        'pipeline: { batchMaxWaitMs: 10, shutdownTimeoutMs: 60000 }',
        'log: { level: info, format: json }',
        // /dev/full opens but every write fails with ENOSPC: the file plugin retries forever.
        'plugins: { file: { enabled: true, path: /dev/full }, prometheus: { enabled: false } }',
        '',
      ].join('\n'),
    );
    const daemon = startCli(['run', '--config', config]);
    await waitFor(() => daemon.output().includes('Delivery failed; retrying.'), 15_000, 'a failing delivery');
    daemon.child.kill('SIGTERM');
    await waitFor(() => daemon.output().includes('Stopping.'), 5_000, 'the graceful stop to begin');
    const secondAt = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(3_000);
  });

  it('reports not ready, naming the file, while an input file cannot be read, and ready once it can', async () => {
    // File modes only bind a non-root user: as root, run the daemon as nobody.
    const asRoot = process.getuid?.() === 0;
    const prefix = asRoot
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]
      : [process.execPath];
    await chmod(dir, 0o777);
    await mkdir(join(dir, 'logs'), { mode: 0o777 });
    await chmod(join(dir, 'logs'), 0o777);
    const log = join(dir, 'logs', 'apim_metrics.log');
    await writeFile(log, `${responseLine('r1')}\n`, { mode: 0o000 });
    await chmod(log, 0o000);
    const config = join(dir, 'gax.yaml');
    await writeFile(
      config,
      [
        `inputs: [{ paths: [${JSON.stringify(log)}], pollIntervalMs: 20 }]`,
        `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
        'server: { host: 127.0.0.1, port: 0 }',
        'log: { level: info, format: json }',
        `plugins: { file: { enabled: true, path: ${JSON.stringify(join(dir, 'out', 'events.ndjson'))} }, prometheus: { enabled: false } }`,
        '',
      ].join('\n'),
    );
    await chmod(config, 0o644);
    const child = spawn(prefix[0] as string, [...prefix.slice(1), CLI, 'run', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      let url = '';
      await waitFor(
        () => {
          url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1] ?? '';
          return url !== '';
        },
        15_000,
        `the daemon to listen: ${output}`,
      );
      // Not ready for the input (early on, 503 can also mean "still starting", before the
      // reader first tried the file): wait for the inputs check itself.
      type Ready = { checks: { inputs?: { ok: boolean; detail?: string } } };
      let body: Ready = { checks: {} };
      await waitFor(
        async () => {
          const response = await fetch(`${url}/readyz`);
          body = (await response.json()) as Ready;
          return response.status === 503 && body.checks.inputs?.ok === false;
        },
        10_000,
        'not ready because of the input',
      );
      expect(body.checks.inputs).toEqual({ ok: false, detail: `${log}: EACCES` });
      await chmod(log, 0o644);
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 10_000, 'ready again');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
