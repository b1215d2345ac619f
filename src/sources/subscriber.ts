import type { Logger } from 'pino';
import type { PluginPositions } from './checkpoint.js';
import type { ParsedChunk } from './ingest.js';
import type { TailerEvent } from './tailer.js';

/** Why the shared reader let an instance go (./unread-files.ts for `unread`). */
export type DetachReason = 'behind' | 'unread';

/** A plugin instance's feed from one input (./input-feed.ts), as the shared reader (./shared-reader.ts) sees it. */
export interface Subscriber {
  readonly id: string;
  /** Hands a parsed chunk to the instance's pipeline; resolves once accepted (waits while its lane is full). */
  feed(parsed: ParsedChunk): Promise<void>;
  /** Its queue is full now: its backend is behind what was read. */
  behind(): boolean;
  /** The shared reader's tailer events, while attached (the instance's metrics and checkpoint). */
  onEvent(event: TailerEvent): void;
  /**
   * Let go: once `accepted` (its last chunk) settles, it reads on its own from `at`, where that
   * chunk ended. `why`: it fell behind, or it joined without having read a file this reader is
   * about to resume past its start (./unread-files.ts).
   */
  detached(at: PluginPositions, accepted: Promise<void>, why: DetachReason): void;
  /** Joins if its own reader stands where the shared one does (see {@link SharedReader.matches}). */
  tryJoin(): boolean;
  /** Its own reader may read further (the shared reader moved on). */
  wake(): void;
}

/**
 * Hands `parsed` to every attached instance and waits until all accepted it, at most
 * `detachAfterMs`: the instances still not done then, each with its pending accept (they are let go).
 */
export async function handOver(
  attached: ReadonlySet<Subscriber>,
  parsed: ParsedChunk,
  detachAfterMs: number,
  logger: Logger,
): Promise<Map<Subscriber, Promise<void>>> {
  const pending = new Map<Subscriber, Promise<void>>();
  for (const s of attached) {
    const accepted = s.feed(parsed).then(
      () => void pending.delete(s),
      (err: unknown) => {
        pending.delete(s);
        logger.error({ err, plugin: s.id }, 'A plugin instance failed to accept read events.');
      },
    );
    pending.set(s, accepted);
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, detachAfterMs);
  });
  await Promise.race([Promise.all(pending.values()), late]);
  clearTimeout(timer);
  return pending;
}
