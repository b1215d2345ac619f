/**
 * The OpenTelemetry semantic-convention names the plugin emits, copied here as the
 * `@opentelemetry/semantic-conventions` README advises for incubating names (their constants may
 * change between minor versions). test/plugins/otlp/semconv.test.ts holds them to the package's
 * constants (1.45.0). Sources:
 * - HTTP server metrics (stable): https://opentelemetry.io/docs/specs/semconv/http/http-metrics/
 * - GenAI metrics and attributes (development, v1.41.0):
 *   https://github.com/open-telemetry/semantic-conventions/blob/v1.41.0/docs/gen-ai/gen-ai-metrics.md
 */
export const SEMCONV = {
  // Metrics.
  httpServerRequestDuration: 'http.server.request.duration',
  httpServerResponseBodySize: 'http.server.response.body.size',
  genAiClientTokenUsage: 'gen_ai.client.token.usage',
  // Attributes.
  httpRequestMethod: 'http.request.method',
  httpRequestMethodOriginal: 'http.request.method_original',
  httpResponseStatusCode: 'http.response.status_code',
  httpRoute: 'http.route',
  errorType: 'error.type',
  userName: 'user.name',
  userAgentOriginal: 'user_agent.original',
  clientAddress: 'client.address',
  urlPath: 'url.path',
  genAiProviderName: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiTokenType: 'gen_ai.token.type',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  logRecordUid: 'log.record.uid',
  serviceName: 'service.name',
  hostName: 'host.name',
} as const;

/** `http.request.method`'s known values; any other method is `_OTHER` (with `method_original`). */
export const HTTP_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** Explicit bucket boundaries the GenAI conventions advise for `gen_ai.client.token.usage`. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

/**
 * WSO2's AI vendor names (`aiMetadata.vendorName`) → `gen_ai.provider.name` well-known values;
 * a vendor not listed is sent lower-cased as it is.
 */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  azureopenai: 'azure.ai.openai',
  'azure openai': 'azure.ai.openai',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  anthropic: 'anthropic',
  awsbedrock: 'aws.bedrock',
  'aws bedrock': 'aws.bedrock',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  vertexai: 'gcp.vertex_ai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  perplexity: 'perplexity',
  xai: 'x_ai',
};

/** `gen_ai.provider.name` of a WSO2 vendor name (`OpenAI` → `openai`, `AzureOpenAI` → `azure.ai.openai`). */
export function providerName(vendor: string): string {
  const key = vendor.trim().toLowerCase();
  return PROVIDERS[key] ?? PROVIDERS[key.replace(/[\s_-]/g, '')] ?? key;
}
