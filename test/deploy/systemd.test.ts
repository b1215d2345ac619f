import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { runCli } from '../helpers/cli.js';
import { checkUnit, exposure, parseUnit, type UnitFacts, value, verify } from './systemd.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT = join(ROOT, 'deploy/systemd/gax.service');
const CONFIG = join(ROOT, 'deploy/systemd/config.yaml');
const unitText = readFileSync(UNIT, 'utf8');
const configText = readFileSync(CONFIG, 'utf8');
/** What systemd hands the service: the credentials directory, and ES_API_KEY from EnvironmentFile=. */
const serviceEnv = { CREDENTIALS_DIRECTORY: '/run/credentials/gax.service', ES_API_KEY: 'a-secret' };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { gax: string } };

function facts(text = configText): UnitFacts {
  const loaded = parseConfig(text, { env: serviceEnv });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const run = readFileSync(join(ROOT, 'src/commands/run.ts'), 'utf8');
  return {
    config: loaded.config,
    configText: text,
    bin: pkg.bin.gax,
    handlesSighup: /process\.on\('SIGHUP'/.test(run),
  };
}

describe('deploy/systemd/gax.service', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-systemd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The unit with `from` replaced by `to`, as gax.service in a scratch directory. */
  async function variant(from: string, to: string): Promise<string> {
    expect(unitText).toContain(from);
    const file = join(dir, 'gax.service');
    await writeFile(file, unitText.replace(from, to));
    return file;
  }

  it('passes systemd-analyze verify without a word (ExecStart needs /usr/bin/node on this machine)', () => {
    expect(verify(UNIT)).toEqual({ status: 0, output: '' });
  });

  it.each([
    ['\nProtectSystem=strict', '\nProtectSystem=very', 'Failed to parse protect system value'],
    ['NoNewPrivileges=yes', 'NoNewPrivilege=yes', "Unknown key 'NoNewPrivilege'"],
    ['ExecStart=/usr/bin/node', 'ExecStart=/usr/bin/no-such-node', 'is not executable'],
  ])('systemd-analyze verify reports %j changed to %j', async (from, to, message) => {
    expect(verify(await variant(from, to)).output).toContain(message);
  });

  it('rates OK in systemd-analyze security (exposure below 2 of 10)', () => {
    expect(exposure(UNIT)).toBeLessThan(2);
  });

  it('is hardened and consistent with the config it runs (state, log, credentials, stop timeout)', () => {
    expect(checkUnit(parseUnit(unitText), facts())).toEqual([]);
  });

  it.each([
    ['\nProtectSystem=strict', '\nProtectSystem=full', 'ProtectSystem'],
    ['CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE', 'CapabilityBoundingSet'],
    ['LockPersonality=yes', 'LockPersonality=yes\nMemoryDenyWriteExecute=yes', 'V8'],
    ['ExecReload=/bin/kill -HUP $MAINPID', 'ExecReload=/bin/kill -USR1 $MAINPID', 'ExecReload'],
    ['DynamicUser=yes', 'DynamicUser=no', 'runs as root'],
    ['StateDirectory=gax', 'StateDirectory=gax-state', 'state.dir /var/lib/gax is not writable'],
    ['ReadOnlyPaths=/opt/wso2am/repository/logs', 'ReadOnlyPaths=/opt/wso2am', ''],
    ['ReadOnlyPaths=/opt/wso2am/repository/logs', 'ReadOnlyPaths=/srv/logs', 'is not under ReadOnlyPaths'],
    ['LoadCredential=datadog-api-key:', 'LoadCredential=dd-key:', 'credential datadog-api-key is not loaded'],
    ['TimeoutStopSec=30s', 'TimeoutStopSec=5s', 'TimeoutStopSec'],
    ['RestartPreventExitStatus=2', 'RestartPreventExitStatus=3', 'RestartPreventExitStatus'],
  ])('reports the unit with %j changed to %j', (from, to, problem) => {
    expect(unitText).toContain(from);
    const problems = checkUnit(parseUnit(unitText.replace(from, to)), facts());
    if (problem === '') expect(problems).toEqual([]);
    else expect(problems.join('\n')).toContain(problem);
  });

  it('runs with a config that gax check-config accepts in the environment systemd provides', async () => {
    const path = value(parseUnit(unitText), 'Service', 'ExecStart')?.split(/\s+/).at(-1);
    expect(path).toBe('/etc/gax/config.yaml');
    const result = await runCli(['check-config', '--config', CONFIG], { env: serviceEnv });
    expect(`${result.stdout}${result.stderr}`).not.toContain('GAX_ERR');
    expect(result.code).toBe(0);
  });

  it('reloads on SIGHUP exactly when the daemon handles it (Node would exit on an unhandled one)', () => {
    const unit = parseUnit(unitText);
    const without = parseUnit(unitText.replace(/^ExecReload=.*$/m, ''));
    const handled = facts();
    const problems = (u: typeof unit, handlesSighup: boolean) =>
      checkUnit(u, { ...handled, handlesSighup }).filter((p) => p.includes('SIGHUP'));
    expect(problems(unit, handled.handlesSighup)).toEqual([]);
    expect(problems(unit, false)).toHaveLength(1);
    expect(problems(without, true)).toHaveLength(1);
  });

  it('exits 2, which RestartPreventExitStatus= does not restart, for an invalid config', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, configText.replace('port: 9464', 'port: 99999'));
    const result = await runCli(['run', '--config', bad], { env: serviceEnv });
    expect(result.code).toBe(2);
    expect(value(parseUnit(unitText), 'Service', 'RestartPreventExitStatus')).toBe('2');
  });
});
