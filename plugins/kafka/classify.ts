import { type EventResult, rejected, retryable } from '../../src/plugin/result.js';

/** What a failed produce request means for its events and for the producer. */
export interface ProduceFailure {
  /** The result of every event of the request that Kafka did not acknowledge. */
  readonly result: EventResult;
  /** The broker refused the size: send fewer bytes per request (or dead-letter a lone event). */
  readonly tooLarge: boolean;
  /** The producer's id or sequence numbers are no longer valid: start a new producer. */
  readonly resetProducer: boolean;
  /** For the plugin's metric: the Kafka error name, or the client's error code. */
  readonly errorType: string;
}

/** Errors that are about the records themselves: resending them as they are never helps. */
const RECORD_ERRORS = new Set(['CORRUPT_MESSAGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);
const SIZE_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/** The broker lost or refuses this producer's identity: a new producer id fixes it. */
const PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
]);

interface KafkaErrorLike {
  readonly message?: string;
  readonly code?: string;
  readonly apiId?: string;
  readonly serverErrorMessage?: string | null;
  readonly errors?: readonly unknown[];
  readonly cause?: unknown;
}

/** Every error in a client error's tree (its `errors` and `cause`), depth first. */
function* tree(err: unknown, depth = 0): Generator<KafkaErrorLike> {
  if (err === null || typeof err !== 'object' || depth > 8) return;
  const e = err as KafkaErrorLike;
  yield e;
  for (const inner of e.errors ?? []) yield* tree(inner, depth + 1);
  if (e.cause !== undefined) yield* tree(e.cause, depth + 1);
}

/**
 * A produce error → what to do. Kafka's own error names decide: record errors are rejected
 * (dead-lettered with Kafka's reason), size errors split the request, producer-identity errors
 * restart the producer and retry, and everything else (brokers down, leader elections, timeouts,
 * a missing topic or ACL an operator must fix) is retried; readiness shows the plugin failing.
 */
export function classifyProduceError(err: unknown, events: number): ProduceFailure {
  let apiId: string | undefined;
  let detail = '';
  let code = 'UNKNOWN';
  let cause: string | undefined;
  for (const e of tree(err)) {
    if (e.code !== undefined && code === 'UNKNOWN') code = e.code;
    if (e.apiId !== undefined && apiId === undefined) {
      apiId = e.apiId;
      detail = e.serverErrorMessage ?? e.message ?? '';
    }
    // The first error with nothing under it: the root cause (a refused connection, a
    // certificate the client does not trust), which the client's wrappers only summarise.
    if (cause === undefined && (e.errors?.length ?? 0) === 0 && e.cause === undefined && e !== err) {
      cause = e.message;
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  const reason = `kafka ${apiId ?? code}: ${detail !== '' ? detail : cause === undefined ? message : `${message} (${cause})`}`;
  if (apiId !== undefined && SIZE_ERRORS.has(apiId)) {
    return {
      result: events === 1 ? rejected(reason) : retryable(reason),
      tooLarge: true,
      resetProducer: false,
      errorType: apiId,
    };
  }
  if (apiId !== undefined && RECORD_ERRORS.has(apiId)) {
    return { result: rejected(reason), tooLarge: false, resetProducer: false, errorType: apiId };
  }
  const resetProducer = apiId !== undefined && PRODUCER_ERRORS.has(apiId);
  return { result: retryable(reason), tooLarge: false, resetProducer, errorType: apiId ?? code };
}
