import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ES_USER } from './elasticsearch.js';
import { ensureMavenZip } from './jvm-install.js';
import { OS_VERSIONS } from './opensearch.js';

describe('installing a search node from Maven Central', () => {
  it('refuses a zip that does not match the published .sha512, removes it and unpacks nothing', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'gax-os-cache-'));
    const version = OS_VERSIONS[2];
    const zip = join(cache, `opensearch-${version}.zip`);
    try {
      await writeFile(zip, 'not the zip Maven Central published');
      // Newer than the local repository's copy, so mvn's dependency:copy leaves it in place.
      const later = new Date(Date.now() + 3_600_000);
      await utimes(zip, later, later);
      const install = ensureMavenZip({
        groupId: 'org.opensearch.distribution.integ-test-zip',
        artifactId: 'opensearch',
        version,
        cache,
        user: ES_USER,
        product: `OpenSearch ${version}`,
      });
      await expect(install).rejects.toThrow(
        /sha512 [0-9a-f]{128} does not match Maven Central's [0-9a-f]{128}/,
      );
      expect(existsSync(zip)).toBe(false);
      expect(existsSync(`${zip}.sha512`)).toBe(true);
      expect(existsSync(join(cache, `opensearch-${version}`))).toBe(false);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  }, 180_000);
});
