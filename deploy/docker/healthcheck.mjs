// Docker HEALTHCHECK for the gax image: exit 0 when /healthz answers 200, 1 otherwise.
// The image has no curl; node's fetch does the request. GAX_HEALTHCHECK_URL overrides the URL
// (e.g. another server.port); with server.tls use https and a certificate node trusts.
const url = process.env.GAX_HEALTHCHECK_URL ?? 'http://127.0.0.1:9464/healthz';

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
