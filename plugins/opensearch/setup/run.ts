import { GaxError } from '../../../src/errors.js';
import type { CommandIo } from '../../../src/plugin/capabilities.js';
import { templatesJson } from '../../../src/search-index/templates.js';
import { OsClient } from '../client.js';
import type { OpenSearchConfig } from '../config.js';
import { ismPolicy } from '../ism.js';
import { osTemplates } from '../templates.js';

/**
 * `gax setup opensearch`: installs the component and index templates and, with `ism.enabled`, the
 * ISM policy; prints each with `created`, `updated` or `unchanged`. Idempotent. With `print`,
 * writes them as JSON and contacts nothing. A cluster without the ISM plugin when a policy is
 * configured is `GAX_ERR_OS_ISM_MISSING` (checked first: nothing is installed); any other
 * failure `GAX_ERR_SETUP_FAILED`.
 */
export async function runSetupOpenSearch(
  config: OpenSearchConfig,
  io: CommandIo,
  options: { print?: boolean } = {},
): Promise<0> {
  const templates = osTemplates(config);
  const policy = config.ism.enabled ? ismPolicy(config) : undefined;
  if (options.print === true) {
    const out = {
      ...templatesJson(templates),
      ...(policy === undefined ? {} : { ism_policies: { [policy.id]: policy.body } }),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const client = await OsClient.open(config);
  const where = (config.nodes ?? [config.node]).join(', ');
  try {
    if (policy !== undefined && !(await client.hasIsm())) {
      const { ismMissing } = await import('../client.js');
      throw ismMissing(policy.id);
    }
    const results = [
      ...(await client.installTemplates(templates)),
      ...(policy === undefined ? [] : [await client.installPolicy(policy)]),
    ];
    for (const r of results) io.stdout.write(`${r.kind.padEnd(20)}${r.name.padEnd(32)}${r.result}\n`);
    const count = (what: string) => results.filter((r) => r.result === what).length;
    io.stdout.write(
      `done: ${results.length} objects (${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged) on ${where}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof GaxError) throw err;
    throw new GaxError('GAX_ERR_SETUP_FAILED', err instanceof Error ? err.message : String(err), {
      command: 'setup opensearch',
      cause: err,
    });
  } finally {
    await client.close();
  }
}
