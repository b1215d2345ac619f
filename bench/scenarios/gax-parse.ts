import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../lib/scenario.js';

const CLI = 'dist/src/cli.js';

export const gaxParse = {
  name: 'gax-parse',
  description: 'The real CLI: `node dist/src/cli.js parse FILE`, stdout to /dev/null.',
  baseline: 'baseline-json-parse',
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, CLI)) ? undefined : `${CLI} not found (run \`npm run build\`)`,
  command: (ctx) => ({ command: process.execPath, args: [join(ctx.repoRoot, CLI), 'parse', ctx.file] }),
} satisfies Scenario;
