import type { SavedFile } from './checkpoint.js';
import type { Fingerprint } from './fingerprint.js';
import type { LineChunk, TailerEvent } from './tailer.js';

/**
 * Where a reader stands in each file it follows: the end of the last line it handed over (not
 * its read offset, which runs ahead by a partial line). Two readers of one input that stand at
 * the same offsets in the same files hand over the same lines from there on.
 */
export class Followed {
  /** `dev:ino` → offset; NaN while the file is held as a possible copy (start not known yet). */
  readonly offsets = new Map<string, number>();
  readonly #files = new Map<string, { path: string; fingerprint: Fingerprint | undefined }>();
  /** The reader's first scan is done: `offsets` names every file it follows (until then, none). */
  scanned = false;

  note(event: TailerEvent): void {
    switch (event.kind) {
      case 'tracked':
        this.offsets.set(event.id, event.offset ?? Number.NaN);
        this.#files.set(event.id, { path: event.path, fingerprint: event.fingerprint });
        return;
      case 'truncated':
        this.offsets.set(event.id, 0);
        return;
      case 'scanned':
        this.scanned = true;
        return;
      case 'renamed': {
        const file = this.#files.get(event.id);
        if (file !== undefined) this.#files.set(event.id, { ...file, path: event.path });
        return;
      }
      case 'released':
        this.offsets.delete(event.id);
        this.#files.delete(event.id);
        return;
      default:
        return;
    }
  }

  handedOver(chunk: LineChunk): void {
    this.offsets.set(chunk.sourceId, chunk.endOffset);
    if (chunk.fingerprint !== undefined)
      this.#files.set(chunk.sourceId, { path: chunk.path, fingerprint: chunk.fingerprint });
  }

  /** Where each followed file stands, in the checkpoint's form (a reader resumes from it). */
  snapshot(): Map<string, SavedFile> {
    const saved = new Map<string, SavedFile>();
    for (const [id, offset] of this.offsets) {
      if (Number.isNaN(offset)) continue;
      const file = this.#files.get(id);
      saved.set(id, {
        offset,
        ...(file?.fingerprint === undefined ? {} : { fingerprint: file.fingerprint }),
        ...(file === undefined ? {} : { path: file.path }),
      });
    }
    return saved;
  }
}
