/**
 * The OpenSearch plugin against a real OpenSearch 2.19 node (the suite: opensearch-suite.ts;
 * opensearch-3.test.ts runs it against 3.x).
 */
import { expect, it } from 'vitest';
import { openSearchSuite } from './opensearch-suite.js';

const node = openSearchSuite(2);

it('ran against a node that says it is OpenSearch 2', async () => {
  const info = (await (await fetch(node().url)).json()) as {
    version: { distribution?: string; number: string };
  };
  expect(info.version.distribution).toBe('opensearch');
  expect(info.version.number).toMatch(/^2\./);
});
