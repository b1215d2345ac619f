/**
 * What a joiner never read (./shared-reader.ts, "Rejoin" in ./DESIGN.md).
 *
 * The shared reader may start a file from its own memory rather than from the file's beginning:
 * one it released (a rename rotation raced its scan: the file was missing from one listing, read
 * to its end and let go) resumes, when seen again, where it was let go; one in its opener's
 * checkpoint that its first scan did not find resumes at the saved offset. A catch-up reader that
 * never read such a file still stands where the shared reader does (`matches` compares the files
 * either reader follows now), and joins; the shared reader's resuming the file past its start
 * would then skip every line before for that joiner. This keeps, per joiner, those files, so the
 * shared reader lets the joiner go (to read the file from its start on its own) before it does.
 */
export class UnreadFiles<S> {
  /** Files the shared reader may yet start from its own memory: released ones and saved ones not found yet. */
  readonly #resumable: Set<string>;
  /** Per joiner: the resumable files its own reader never read. */
  readonly #unread = new Map<S, Set<string>>();

  constructor(saved: Iterable<string>) {
    this.#resumable = new Set(saved);
  }

  /** `joiner` attaches; `read(id)`: whether its own reader followed or passed over file `id`. */
  join(joiner: S, read: (id: string) => boolean): void {
    const unread = [...this.#resumable].filter((id) => !read(id));
    if (unread.length > 0) this.#unread.set(joiner, new Set(unread));
  }

  /** The shared reader released `id`: seen again, it resumes where it was let go. */
  released(id: string): void {
    this.#resumable.add(id);
  }

  /**
   * The shared reader starts `id` at `offset`: the joiners that never read it and would miss
   * lines by that (offset past 0); they must be let go before it moves.
   */
  tracked(id: string, offset: number): S[] {
    this.#resumable.delete(id);
    const skipped: S[] = [];
    for (const [joiner, unread] of this.#unread) {
      if (!unread.delete(id)) continue;
      if (unread.size === 0) this.#unread.delete(joiner);
      if (offset > 0) skipped.push(joiner);
    }
    return skipped;
  }

  /** `joiner` was let go or removed. */
  forget(joiner: S): void {
    this.#unread.delete(joiner);
  }
}
