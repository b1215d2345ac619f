import type { CanonicalEvent } from '../schema/event.js';
import type { Positions } from './acks.js';

/** A sealed batch: events in read order and the read positions just past its last line. */
export interface Batch {
  readonly seq: number;
  readonly events: readonly CanonicalEvent[];
  readonly positions: Positions;
  readonly sealedAt: number;
}
