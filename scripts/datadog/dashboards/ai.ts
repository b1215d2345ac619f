import type { DashboardSpec } from '../dashboard.js';
import { countOf, ENV_VARS, rateOf, type TemplateVar } from '../query.js';
import { queryValue, table, timeseries, toplist } from '../widgets.js';

const vars: readonly TemplateVar[] = [
  ...ENV_VARS,
  { name: 'vendor', tag: 'vendor' },
  { name: 'model', tag: 'model' },
];

const tokens = (type: 'prompt' | 'completion', by: readonly ('vendor' | 'model')[] = []) =>
  countOf(vars, 'ai.tokens', { filter: [`token_type:${type}`], by });

export const ai: DashboardSpec = {
  key: 'ai',
  title: '[gax] AI (egress) token usage',
  summary:
    'AI (egress) API calls through the gateway: prompt and completion tokens and requests by vendor and model.',
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
          description: 'Prompt and completion tokens per interval (`token_type`).',
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
  ],
};
