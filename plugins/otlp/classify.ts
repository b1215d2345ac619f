import { DELIVERED, type EventResult, rejected, retryable } from '../../src/plugin/result.js';

export type Signal = 'metrics' | 'logs';

/** What one OTLP export request came to. `status` undefined: no response (network, timeout). */
export interface OtlpOutcome {
  readonly status?: number;
  /** The server's message (an error body's `message`, or the partial success `errorMessage`). */
  readonly message: string;
  readonly retryAfterMs?: number;
  /** `partial_success.rejected_log_records` / `rejected_data_points` of a 2xx answer. */
  readonly rejectedItems?: number;
}

/**
 * OTLP/HTTP's retryable statuses (https://opentelemetry.io/docs/specs/otlp/#failures-1): the
 * server is overloaded or a proxy could not reach it. Every other 4xx and 5xx "MUST NOT be
 * retried", except the ones below that need an operator and are retried meanwhile.
 */
const RETRYABLE = new Set([429, 502, 503, 504]);
/**
 * Not retryable per the spec, but caused by our configuration (credentials, endpoint path) or
 * a proxy's timeout: waiting for the operator loses nothing, dead-lettering every event would.
 */
const OPERATOR = new Map<number, string>([
  [401, 'check plugins.otlp.headers (credentials)'],
  [403, 'check plugins.otlp.headers (credentials)'],
  [404, 'check plugins.otlp.endpoint (the receiver has no such path)'],
  [407, 'the proxy wants credentials'],
  [408, 'request timeout'],
]);

/**
 * A request's outcome → the result of every event it carried (a partial success is decided by
 * the caller with {@link classifyPartial}, which knows how many items the request held).
 */
export function classifyOutcome(signal: Signal, outcome: OtlpOutcome): EventResult {
  const { status } = outcome;
  if (status !== undefined && status >= 200 && status < 300) return DELIVERED;
  const reason =
    status === undefined
      ? `otlp ${signal}: ${outcome.message}`
      : `otlp ${signal} ${status}: ${outcome.message}`;
  if (status === undefined || RETRYABLE.has(status)) return retryable(reason, outcome.retryAfterMs);
  const hint = OPERATOR.get(status);
  if (hint !== undefined) return retryable(`${reason} (${hint})`, outcome.retryAfterMs);
  return rejected(reason);
}

/**
 * A 2xx answer with `rejected` of the `sent` log records (or data points) refused. OTLP does not
 * say which ones, and the client "MUST NOT retry" them. All refused: the request's events are
 * rejected with the server's message. Some refused: for logs, every event of the request is
 * dead-lettered with a reason saying so, because the refused ones cannot be told apart and
 * dropping them would lose them silently (a `gax dlq replay` may then duplicate the accepted ones,
 * which carry `log.record.uid` for deduplication). For metrics the request's events count as
 * delivered: the refused points are aggregates, and cumulative totals are sent again with the
 * next export; dead-lettering events for them would make a replay count them twice.
 */
export function classifyPartial(
  signal: Signal,
  rejectedItems: number,
  sent: number,
  message: string,
): EventResult {
  if (rejectedItems <= 0) return DELIVERED;
  const what = signal === 'logs' ? 'log records' : 'data points';
  const reason = `otlp ${signal}: the receiver rejected ${rejectedItems} of ${sent} ${what}: ${message === '' ? 'no message' : message}`;
  if (rejectedItems >= sent) return rejected(reason);
  if (signal === 'metrics') return DELIVERED;
  return rejected(`${reason} (it does not say which, so every event of the request is dead-lettered)`);
}

/** `Retry-After` as seconds or an HTTP date → milliseconds from `now` (never negative). */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The message of an OTLP error body: a `google.rpc.Status` as JSON (`message`) or protobuf
 * (field 2), else the text; at most 300 characters.
 */
export function errorMessage(body: Uint8Array, contentType: string | null): string {
  const text = new TextDecoder().decode(body);
  if (contentType?.includes('json') === true || text.startsWith('{')) {
    try {
      const message = (JSON.parse(text) as { message?: unknown }).message;
      if (typeof message === 'string') return message.slice(0, 300);
    } catch {
      // not JSON after all: fall through to the text
    }
  }
  if (contentType?.includes('protobuf') === true) {
    const message = statusMessage(body);
    if (message !== undefined) return message.slice(0, 300);
  }
  const printable = text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 300);
  return printable === '' ? 'no body' : printable;
}

/** Field 2 (`message`, a string) of a protobuf `google.rpc.Status`, if the bytes hold one. */
function statusMessage(bytes: Uint8Array): string | undefined {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  try {
    while (pos < bytes.length) {
      const tag = varint();
      const wire = tag & 7;
      if (wire === 0) varint();
      else if (wire === 2) {
        const length = varint();
        if (tag >>> 3 === 2) return new TextDecoder().decode(bytes.subarray(pos, pos + length));
        pos += length;
      } else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else return undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
