import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * Who holds a lock, written inside the lock directory: for people (`cat <lock>/owner.json`), and
 * so a holder that died can be recognised at once instead of after the lock goes stale, when
 * that can be known for certain: same boot of the same kernel and the same PID namespace (a
 * daemon restarted after a crash in its own container, by systemd, or by a test). Anywhere else
 * (another container's PID namespace, another host) a PID means nothing here, and only
 * staleness decides.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** `/proc/sys/kernel/random/boot_id`: PIDs are only comparable within one boot. */
  readonly bootId?: string;
  /** `readlink /proc/self/ns/pid` (e.g. `pid:[4026531836]`): PIDs are only comparable within one namespace. */
  readonly pidNamespace?: string;
  /** Field 22 of `/proc/<pid>/stat`: tells the holder from a later process given the same PID. */
  readonly startTicks?: string;
}

/** This process as a lock owner (Linux adds what makes its PID checkable). */
export async function currentOwner(): Promise<LockOwner> {
  const [bootId, pidNamespace, startTicks] = await Promise.all([
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim(), none),
    readlink('/proc/self/ns/pid').catch(none),
    processStat(process.pid).then((s) => s?.startTicks),
  ]);
  return {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(bootId === undefined ? {} : { bootId }),
    ...(pidNamespace === undefined ? {} : { pidNamespace }),
    ...(startTicks === undefined ? {} : { startTicks }),
  };
}

/** Parses an owner record; `undefined` for anything that is not one. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(o.pid) || typeof o.host !== 'string' || typeof o.since !== 'string')
      return undefined;
    return o as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Whether `owner` is certainly gone: it lived in this boot and this PID namespace, and its PID
 * is free, a zombie, or a later process's. `false` means alive or unknowable.
 */
export async function ownerIsGone(owner: LockOwner, self: LockOwner): Promise<boolean> {
  if (owner.bootId === undefined || owner.bootId !== self.bootId) return false;
  if (owner.pidNamespace === undefined || owner.pidNamespace !== self.pidNamespace) return false;
  if (owner.pid === self.pid && owner.startTicks === self.startTicks) return false; // that is us
  const stat = await processStat(owner.pid);
  if (stat === undefined) return true;
  if (stat.state === 'Z' || stat.state === 'X') return true;
  return owner.startTicks !== undefined && stat.startTicks !== owner.startTicks;
}

/** State and start time of a process from `/proc/<pid>/stat`, or `undefined` when there is none. */
async function processStat(pid: number): Promise<{ state: string; startTicks: string } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(none);
  if (text === undefined) return undefined;
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  return state === undefined || startTicks === undefined ? undefined : { state, startTicks };
}

function none(): undefined {
  return undefined;
}
