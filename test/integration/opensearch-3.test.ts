/** The OpenSearch plugin against a real OpenSearch 3.x node (the suite: opensearch-suite.ts). */
import { expect, it } from 'vitest';
import { openSearchSuite } from './opensearch-suite.js';

const node = openSearchSuite(3);

it('ran against a node that says it is OpenSearch 3', async () => {
  const info = (await (await fetch(node().url)).json()) as {
    version: { distribution?: string; number: string };
  };
  expect(info.version.distribution).toBe('opensearch');
  expect(info.version.number).toMatch(/^3\./);
});
