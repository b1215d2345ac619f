import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, optInNote, percentileOf, rateOf, type TemplateVar } from '../query.js';
import { queryValue, table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [
  ...ENV_VARS,
  { name: 'vendor', tag: 'vendor' },
  { name: 'model', tag: 'model' },
];

const tokens = (type: 'prompt' | 'completion', by: readonly ('vendor' | 'model')[] = []) =>
  countOf(vars, 'ai.tokens', { filter: [`token_type:${type}`], by });

type Split = readonly ('vendor' | 'model' | 'api')[];

/** AI errors (docs/metrics.md): faulty AI calls plus AI responses with a 5xx status. */
const aiErrorQueries = (by: Split) => ({
  faults: countOf(vars, 'ai.requests', { filter: ['event_type:faulty'], by }),
  fivexx: countOf(vars, 'ai.requests', { filter: ['event_type:response', 'status_code:5*'], by }),
});
const AI_ERRORS = 'default_zero(faults) + default_zero(fivexx)';
const AI_ERRORS_TEXT =
  'AI errors: faulty AI calls (`ai.requests` with `event_type:faulty`) plus AI responses with a 5xx status (`event_type:response`, `status_code:5*`), as errors are counted everywhere';

export const ai: DashboardSpec = {
  key: 'ai',
  title: '[gax] AI (egress) token usage',
  summary:
    'AI (egress) API calls through the gateway: tokens (prompt, completion, other) and requests by vendor, model and API, AI latency and AI errors by vendor and model.',
  vars,
  groups: [
    {
      title: 'Summary',
      widgets: [
        queryValue({
          title: 'Prompt tokens',
          description: 'Prompt tokens (`ai.tokens` with `token_type:prompt`) in the time frame.',
          queries: { prompt: tokens('prompt') },
          formula: { formula: 'prompt' },
          precision: 0,
        }),
        queryValue({
          title: 'Completion tokens',
          description: 'Completion tokens (`ai.tokens` with `token_type:completion`) in the time frame.',
          queries: { completion: tokens('completion') },
          formula: { formula: 'completion' },
          precision: 0,
        }),
        queryValue({
          title: 'Total tokens',
          description:
            "All tokens (`ai.tokens` summed over every `token_type`: prompt, completion and other, i.e. WSO2's totalTokens) in the time frame.",
          queries: { tokens: countOf(vars, 'ai.tokens') },
          formula: { formula: 'tokens' },
          precision: 0,
        }),
        queryValue({
          title: 'AI requests',
          description: 'AI (egress) API calls (`ai.requests`) in the time frame.',
          queries: { requests: countOf(vars, 'ai.requests') },
          formula: { formula: 'requests' },
          precision: 0,
        }),
        queryValue({
          title: 'Tokens per request',
          description: 'All tokens over AI requests in the time frame.',
          queries: { tokens: countOf(vars, 'ai.tokens'), requests: countOf(vars, 'ai.requests') },
          formula: { formula: 'tokens / requests' },
          precision: 0,
        }),
      ],
    },
    {
      title: 'Usage',
      widgets: [
        timeseries({
          title: 'Tokens by vendor and model',
          description: 'Tokens per interval by `vendor` and `model`.',
          queries: { tokens: countOf(vars, 'ai.tokens', { by: ['vendor', 'model'] }) },
          formulas: [{ formula: 'tokens' }],
          display: 'bars',
        }),
        timeseries({
          title: 'Tokens by type',
          description:
            'Tokens per interval by `token_type`: prompt, completion and other (counted by the vendor in totalTokens only, e.g. reasoning or cached tokens).',
          queries: { tokens: countOf(vars, 'ai.tokens', { by: ['token_type'] }) },
          formulas: [{ formula: 'tokens' }],
          display: 'bars',
        }),
        toplist({
          title: 'Top models by tokens',
          description: 'The 10 models that used the most tokens in the time frame.',
          queries: { tokens: countOf(vars, 'ai.tokens', { by: ['model'] }) },
          formula: { formula: 'tokens', alias: 'tokens' },
        }),
        timeseries({
          title: 'AI requests / s by status code',
          description: 'AI (egress) API calls per second by `status_code`.',
          queries: { requests: rateOf(vars, 'ai.requests', { by: ['status_code'] }) },
          formulas: [{ formula: 'requests' }],
        }),
        table({
          title: 'Token usage by vendor and model',
          description:
            'Per vendor and model in the time frame: prompt, completion and all tokens, AI requests and tokens per request.',
          queries: {
            tokens: countOf(vars, 'ai.tokens', { by: ['vendor', 'model'] }),
            prompt: tokens('prompt', ['vendor', 'model']),
            completion: tokens('completion', ['vendor', 'model']),
            requests: countOf(vars, 'ai.requests', { by: ['vendor', 'model'] }),
          },
          formulas: [
            { formula: 'tokens', alias: 'tokens' },
            { formula: 'default_zero(prompt)', alias: 'prompt' },
            { formula: 'default_zero(completion)', alias: 'completion' },
            { formula: 'requests', alias: 'requests' },
            { formula: 'tokens / requests', alias: 'tokens / request' },
          ],
        }),
      ],
    },
    {
      title: 'AI per API',
      widgets: [
        timeseries({
          title: 'AI requests / s by API',
          description: 'AI (egress) API calls per second by `api`.',
          queries: { requests: rateOf(vars, 'ai.requests', { by: ['api'] }) },
          formulas: [{ formula: 'requests' }],
        }),
        toplist({
          title: 'Top APIs by tokens',
          description: `The AI APIs that used the most tokens (every \`token_type\`) in the time frame. ${optInNote('ai.tokens', ['api'])}`,
          queries: { tokens: countOf(vars, 'ai.tokens', { by: ['api'], optIn: true }) },
          formula: { formula: 'tokens', alias: 'tokens' },
        }),
      ],
    },
    {
      title: 'AI latency',
      widgets: [
        timeseries({
          title: 'AI latency p95 by vendor and model',
          description:
            '95th percentile of `ai.latency` (total gateway time of AI calls, responseLatency) by `vendor` and `model`, ms.',
          queries: { p95: percentileOf(vars, 'p95', 'ai.latency', { by: ['vendor', 'model'] }) },
          formulas: [{ formula: 'p95' }],
        }),
        timeseries({
          title: 'AI latency p50 by vendor and model',
          description: 'Median of `ai.latency` by `vendor` and `model`, ms.',
          queries: { p50: percentileOf(vars, 'p50', 'ai.latency', { by: ['vendor', 'model'] }) },
          formulas: [{ formula: 'p50' }],
        }),
        table({
          title: 'AI latency by vendor and model',
          description:
            'Per vendor and model in the time frame: p50 and p95 of `ai.latency` (ms) and AI requests.',
          queries: {
            p50: percentileOf(vars, 'p50', 'ai.latency', { by: ['vendor', 'model'] }),
            p95: percentileOf(vars, 'p95', 'ai.latency', { by: ['vendor', 'model'] }),
            requests: countOf(vars, 'ai.requests', { by: ['vendor', 'model'] }),
          },
          formulas: [
            { formula: 'p95', alias: 'p95 ms' },
            { formula: 'p50', alias: 'p50 ms' },
            { formula: 'requests', alias: 'requests' },
          ],
        }),
      ],
    },
    {
      title: 'AI errors',
      widgets: [
        timeseries({
          title: 'AI errors by vendor and model',
          description: `${AI_ERRORS_TEXT}, per interval by \`vendor\` and \`model\`.`,
          queries: aiErrorQueries(['vendor', 'model']),
          formulas: [{ formula: AI_ERRORS, alias: 'AI errors' }],
          display: 'bars',
        }),
        timeseries({
          title: 'AI error % by vendor and model',
          description: `${AI_ERRORS_TEXT}, over all AI calls, % by \`vendor\` and \`model\`.`,
          queries: {
            ...aiErrorQueries(['vendor', 'model']),
            requests: countOf(vars, 'ai.requests', { by: ['vendor', 'model'] }),
          },
          formulas: [{ formula: `100 * (${AI_ERRORS}) / requests`, alias: 'AI error %' }],
        }),
        table({
          title: 'AI errors by vendor, model and API',
          description: `${AI_ERRORS_TEXT}, in the time frame per \`vendor\`, \`model\` and \`api\`, with all AI calls.`,
          queries: {
            ...aiErrorQueries(['vendor', 'model', 'api']),
            requests: countOf(vars, 'ai.requests', { by: ['vendor', 'model', 'api'] }),
          },
          formulas: [
            { formula: AI_ERRORS, alias: 'AI errors' },
            { formula: 'requests', alias: 'AI requests' },
            { formula: `100 * (${AI_ERRORS}) / requests`, alias: 'error %' },
          ],
        }),
      ],
    },
  ],
};
