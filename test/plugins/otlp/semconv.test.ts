import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_USER_AGENT_ORIGINAL,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_HOST_NAME,
  ATTR_LOG_RECORD_UID,
  ATTR_USER_NAME,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE,
} from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { providerName, SEMCONV } from '../../../plugins/otlp/semconv.js';

describe('otlp semantic-convention names', () => {
  it('match the constants of @opentelemetry/semantic-conventions', () => {
    expect(SEMCONV).toEqual({
      httpServerRequestDuration: METRIC_HTTP_SERVER_REQUEST_DURATION,
      httpServerResponseBodySize: METRIC_HTTP_SERVER_RESPONSE_BODY_SIZE,
      genAiClientTokenUsage: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
      httpRequestMethod: ATTR_HTTP_REQUEST_METHOD,
      httpRequestMethodOriginal: ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
      httpResponseStatusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
      httpRoute: ATTR_HTTP_ROUTE,
      errorType: ATTR_ERROR_TYPE,
      userName: ATTR_USER_NAME,
      userAgentOriginal: ATTR_USER_AGENT_ORIGINAL,
      clientAddress: ATTR_CLIENT_ADDRESS,
      urlPath: ATTR_URL_PATH,
      genAiProviderName: ATTR_GEN_AI_PROVIDER_NAME,
      genAiRequestModel: ATTR_GEN_AI_REQUEST_MODEL,
      genAiTokenType: ATTR_GEN_AI_TOKEN_TYPE,
      genAiUsageInputTokens: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      genAiUsageOutputTokens: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
      logRecordUid: ATTR_LOG_RECORD_UID,
      serviceName: ATTR_SERVICE_NAME,
      hostName: ATTR_HOST_NAME,
    });
    expect([GEN_AI_TOKEN_TYPE_VALUE_INPUT, GEN_AI_TOKEN_TYPE_VALUE_OUTPUT]).toEqual(['input', 'output']);
  });

  it('maps the vendors the WSO2 simulator knows to well-known gen_ai.provider.name values', () => {
    expect(providerName('OpenAI')).toBe(GEN_AI_PROVIDER_NAME_VALUE_OPENAI);
    expect(providerName('AzureOpenAI')).toBe(GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI);
    expect(providerName('MistralAI')).toBe(GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI);
  });
});
