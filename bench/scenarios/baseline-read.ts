import type { Scenario } from '../lib/scenario.js';

export const baselineRead = {
  name: 'baseline-read',
  description: '`cat FILE > /dev/null`: the cost of reading the bytes (page cache to user space).',
  parsesEvents: false,
  command: (ctx) => ({ command: 'cat', args: [ctx.file] }),
} satisfies Scenario;
