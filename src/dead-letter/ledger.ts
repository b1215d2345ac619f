import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GaxError } from '../errors.js';
import { ensureDirectory, syncDirectory, writeFileDurably } from '../fs/durable.js';
import { type HeldLock, tryLock } from '../fs/lock.js';

/** `<dead-letter path>.replayed`: the records `gax dlq replay` has finished, per plugin. */
export function ledgerPath(deadLetterPath: string): string {
  return `${deadLetterPath}.replayed`;
}

/** `<dead-letter path>.replay.lock` (a directory, src/fs/lock.ts): one replay at a time per dead-letter file. */
export function lockPath(deadLetterPath: string): string {
  return `${deadLetterPath}.replay.lock`;
}

const LINE = /^([^\t\n]+)\t([A-Za-z0-9_-]{22})$/;

/**
 * The replay ledger: one line `<plugin>\t<record id>` per dead-letter record that a replay
 * finished for that plugin (delivered, or written to the dead-letter file again). The
 * dead-letter files themselves are never rewritten (the daemon appends to them meanwhile);
 * a record is pending for a plugin until the ledger names it. Marks are appended and fdatasynced
 * only after the batch they cover is finished, so a crash loses at most marks, never records:
 * the next replay re-sends those events (at-least-once; Elasticsearch answers 409).
 */
export class ReplayLedger {
  readonly #path: string;
  readonly #done = new Map<string, Set<string>>();
  #handle: FileHandle | undefined;
  #chain: Promise<void> = Promise.resolve();

  private constructor(path: string) {
    this.#path = path;
  }

  /** Reads the ledger of a dead-letter file (none yet: empty). Unreadable lines are ignored. */
  static async load(deadLetterPath: string): Promise<ReplayLedger> {
    const ledger = new ReplayLedger(ledgerPath(deadLetterPath));
    const text = await readFile(ledger.#path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const match = LINE.exec(line);
      if (match !== null) ledger.#add(match[1] as string, match[2] as string);
    }
    return ledger;
  }

  /** Record ids marked for any plugin. */
  get size(): number {
    return this.#done.size;
  }

  has(plugin: string, id: string): boolean {
    return this.#done.get(id)?.has(plugin) === true;
  }

  /** Whether any plugin has finished the record. */
  any(id: string): boolean {
    return this.#done.has(id);
  }

  /** Appends marks durably; resolves once they are on disk. Calls run one after another. */
  mark(plugin: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return this.#chain;
    const next = this.#chain.then(async () => {
      const handle = await this.#open();
      await handle.write(ids.map((id) => `${plugin}\t${id}\n`).join(''));
      await handle.datasync();
      for (const id of ids) this.#add(plugin, id);
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Rewrites the ledger keeping only records still in a dead-letter file (`present`): rotation
   * deletes old files, so the ledger does not grow forever. Atomic and durable (src/fs/durable.ts).
   */
  async compact(present: ReadonlySet<string>): Promise<void> {
    await this.#chain;
    await this.close();
    let text = '';
    for (const [id, plugins] of this.#done) {
      if (!present.has(id)) {
        this.#done.delete(id);
        continue;
      }
      for (const plugin of plugins) text += `${plugin}\t${id}\n`;
    }
    await writeFileDurably(this.#path, text);
  }

  async close(): Promise<void> {
    await this.#chain;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  #add(plugin: string, id: string): void {
    const plugins = this.#done.get(id) ?? new Set<string>();
    plugins.add(plugin);
    this.#done.set(id, plugins);
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    const dir = dirname(this.#path);
    await ensureDirectory(dir);
    const handle = await open(this.#path, 'a+');
    try {
      // The ledger may have just been created: its name must survive a power cut like its marks.
      await syncDirectory(dir);
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        // A mark cut short by a crash: end it, so the next mark is a line of its own.
        if (last[0] !== 0x0a) await handle.write('\n');
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
    return handle;
  }
}

/** A held replay lock: `signal` aborts if it was lost; `release` removes it. */
export type ReplayLock = HeldLock;

/**
 * Takes the replay lock of a dead-letter file (src/fs/lock.ts: no PIDs, so it holds across PID
 * namespaces, e.g. two sidecars sharing a state volume). A lock its holder stopped refreshing
 * (the holder died) is taken over after `staleMs`; a live one is GAX_ERR_DEADLETTER_LOCKED.
 */
export async function acquireReplayLock(
  deadLetterPath: string,
  options: { readonly staleMs?: number } = {},
): Promise<ReplayLock> {
  const path = lockPath(deadLetterPath);
  const lock = await tryLock(path, options);
  if (lock !== undefined) return lock;
  throw new GaxError(
    'GAX_ERR_DEADLETTER_LOCKED',
    `another gax dlq replay is working on ${deadLetterPath} (lock ${path}, refreshed while it runs)`,
  );
}
