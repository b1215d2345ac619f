/** OpenTelemetry's `http.request.method` values for the semconv histogram (`semconv.http`). */

/** The methods OpenTelemetry's `http.request.method` keeps; others are `_OTHER`. */
const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** `http_request_method` per OpenTelemetry: a known method, else `_OTHER`. */
export function httpMethod(method: string | undefined): string {
  return method !== undefined && HTTP_METHODS.has(method) ? method : '_OTHER';
}
