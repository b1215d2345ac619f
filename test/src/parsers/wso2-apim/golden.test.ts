import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../helpers/golden.js';
import { parseFixture, WSO2_APIM_FIXTURES } from '../../../helpers/wso2-apim-fixtures.js';

describe('wso2-apim parser golden files', () => {
  it.each(WSO2_APIM_FIXTURES)('turns %s into the events and rejections of its golden file', async (name) => {
    const golden = fileURLToPath(new URL(`./golden/${name}.json`, import.meta.url));
    // expectGolden compares with the golden file (or rewrites it under GAX_UPDATE_GOLDEN=1).
    await expect(expectGolden(golden, await parseFixture(name))).resolves.toBeUndefined();
  });
});
