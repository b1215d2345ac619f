import { spawnSync } from 'node:child_process';
import { posix } from 'node:path';
import type { Config } from '../../src/config/schema.js';

/** A unit file: per section, its settings in order (a key may repeat). */
export type Unit = ReadonlyMap<string, readonly (readonly [string, string])[]>;

export function parseUnit(text: string): Unit {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section !== null) {
      current = [];
      sections.set(section[1] ?? '', current);
      continue;
    }
    const at = line.indexOf('=');
    if (at > 0) current?.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return sections;
}

/** Every value of `key` in `section`; an empty assignment resets the list to [''], as in systemd. */
export function values(unit: Unit, section: string, key: string): string[] {
  let out: string[] = [];
  for (const [k, v] of unit.get(section) ?? []) {
    if (k !== key) continue;
    out = v === '' ? [''] : [...out.filter((x) => x !== ''), v];
  }
  return out;
}

/** The last value of `key` (the one in force for single-valued settings). */
export function value(unit: Unit, section: string, key: string): string | undefined {
  return values(unit, section, key).at(-1);
}

/** `systemd-analyze verify FILE`: the exit status and everything it printed (silence is success). */
export function verify(file: string): { status: number | null; output: string } {
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `systemd-analyze security --offline=true FILE`: the overall exposure (0 safest … 10). */
export function exposure(file: string): number {
  const result = spawnSync('systemd-analyze', ['security', '--offline=true', file], { encoding: 'utf8' });
  const match = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout);
  if (match === null) throw new Error(`systemd-analyze security: ${result.stdout}${result.stderr}`);
  return Number(match[1]);
}

export interface UnitFacts {
  /** The config the unit runs with (deploy/systemd/config.yaml as /etc/gax/config.yaml). */
  readonly config: Config;
  readonly configText: string;
  /** package.json bin.gax (dist/src/cli.js). */
  readonly bin: string;
  /** Whether the daemon handles SIGHUP (src/commands/run.ts). */
  readonly handlesSighup: boolean;
}

const HARDENING: readonly (readonly [string, RegExp])[] = [
  ['NoNewPrivileges', /^yes$/],
  ['ProtectSystem', /^strict$/],
  ['ProtectHome', /^(yes|read-only|tmpfs)$/],
  ['PrivateTmp', /^yes$/],
  ['PrivateDevices', /^yes$/],
  ['CapabilityBoundingSet', /^$/],
  ['RestrictAddressFamilies', /^AF_INET AF_INET6 AF_UNIX$/],
  ['SystemCallFilter', /@system-service/],
  ['SystemCallErrorNumber', /^EPERM$/],
  ['MemoryMax', /^\d+[KMG]$/],
  ['Restart', /^on-failure$/],
  ['RestartPreventExitStatus', /(^|\s)2(\s|$)/],
];

/** Every problem of the unit as a hardened service running gax with `facts.config`. */
export function checkUnit(unit: Unit, facts: UnitFacts): string[] {
  const problems: string[] = [];
  const service = (key: string) => value(unit, 'Service', key);
  for (const [key, wanted] of HARDENING) {
    const all = values(unit, 'Service', key);
    if (!all.some((v) => wanted.test(v))) problems.push(`${key}=${all.join(' ')}: want ${wanted.source}`);
  }
  if (service('DynamicUser') !== 'yes' && [undefined, 'root', '0'].includes(service('User')))
    problems.push('runs as root: want DynamicUser=yes or a User=');
  if (service('MemoryDenyWriteExecute') === 'yes')
    problems.push('MemoryDenyWriteExecute=yes breaks V8 (JIT)');
  const reload = service('ExecReload');
  if (reload !== undefined && !facts.handlesSighup)
    problems.push('ExecReload= sends a signal the daemon does not handle (SIGHUP would stop it)');
  if (facts.handlesSighup && reload !== '/bin/kill -HUP $MAINPID')
    problems.push('the daemon reloads on SIGHUP: want ExecReload=/bin/kill -HUP $MAINPID');

  const exec = (service('ExecStart') ?? '').split(/\s+/);
  const [node, script] = exec;
  if (node !== '/usr/bin/node' || script?.endsWith(`/${facts.bin}`) !== true || exec[2] !== 'run')
    problems.push(`ExecStart ${exec.join(' ')}: want /usr/bin/node <dir>/${facts.bin} run --config FILE`);
  const { config } = facts;
  const stop = /^(\d+)s$/.exec(service('TimeoutStopSec') ?? '90s')?.[1];
  if (Number(stop ?? 0) * 1000 <= config.pipeline.shutdownTimeoutMs)
    problems.push('TimeoutStopSec is not longer than pipeline.shutdownTimeoutMs');

  const writable = [
    ...values(unit, 'Service', 'StateDirectory').map((d) => `/var/lib/${d}`),
    ...values(unit, 'Service', 'ReadWritePaths').flatMap((v) => v.split(/\s+/)),
  ];
  const readable = ['ReadOnlyPaths', 'BindReadOnlyPaths'].flatMap((k) =>
    values(unit, 'Service', k).flatMap((v) =>
      v.split(/\s+/).map((p) => p.replace(/^-/, '').split(':')[0] ?? ''),
    ),
  );
  const under = (path: string, dirs: readonly string[]) =>
    dirs.some((d) => d !== '' && (path === d || path.startsWith(`${d}/`)));
  if (!under(config.state.dir, writable)) problems.push(`state.dir ${config.state.dir} is not writable`);
  for (const path of config.inputs.flatMap((i) => i.paths)) {
    if (!under(posix.dirname(path), [...readable, ...writable]))
      problems.push(`input ${path} is not under ReadOnlyPaths= or BindReadOnlyPaths=`);
  }
  const loaded = values(unit, 'Service', 'LoadCredential').map((v) => v.split(':')[0] ?? '');
  const used = [...facts.configText.matchAll(/\$\{CREDENTIALS_DIRECTORY\}\/([\w.-]+)/g)].map(
    (m) => m[1] ?? '',
  );
  for (const name of used.filter((n) => !loaded.includes(n)))
    problems.push(`credential ${name} is not loaded`);
  for (const name of loaded.filter((n) => !used.includes(n))) problems.push(`credential ${name} is not used`);
  return problems;
}
