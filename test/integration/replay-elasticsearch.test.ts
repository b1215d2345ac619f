/**
 * `gax replay` and `gax dlq replay` against a real Elasticsearch 8 on loopback (one node for the
 * file), through the real CLI. Scenarios: es-replay-twice (a second backfill of the same log is all
 * duplicates, counts exact), es-mapping-conflict-then-fix and es-down-then-up (the dead-lettered
 * events are delivered exactly once by `gax dlq replay` after the fix; a rerun sends nothing; a
 * replay without the ledger is all duplicates).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readNdjson } from '../helpers/daemon.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { countDocs, es, knownLog, writeLog } from '../helpers/es-scenario.js';
import { freePort } from '../helpers/prometheus.js';

let node: EsNode;
let dir: string;

beforeAll(async () => {
  node = await startElasticsearch({ major: 8 });
}, 300_000);
afterAll(async () => {
  await node?.destroy();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-replay-es-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config writing to Elasticsearch at `url` with `prefix`, the other plugins off. */
async function esConfig(name: string, url: string, prefix: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    [
      'inputs: [{ paths: [logs/apim_metrics.log] }]',
      'state: { dir: state }',
      'server: { enabled: false }',
      'log: { level: warn, format: json }',
      'pipeline: { batchMaxEvents: 500, retry: { initialIntervalMs: 50, maxIntervalMs: 300 } }',
      'plugins:',
      '  file: { enabled: false }',
      '  prometheus: { enabled: false }',
      `  elasticsearch: { enabled: true, node: ${JSON.stringify(url)}, indexPrefix: ${prefix}, templates: { numberOfReplicas: 0 } }`,
      '',
    ].join('\n'),
  );
  return path;
}

const line = (stdout: string, prefix: string): string =>
  stdout.split('\n').find((l) => l.startsWith(prefix)) ?? `(no line starting with ${prefix} in: ${stdout})`;

describe('replay into a real Elasticsearch', () => {
  it('es-replay-twice: a second run of the same log is all duplicates and the counts stay exact', async () => {
    const log = knownLog(3000, { seed: 41 });
    const file = await writeLog(dir, log.lines);
    const cfg = await esConfig('gax.yaml', node.url, 'rptwice');
    const n = log.events.length.toLocaleString('en-US');

    const first = await runCli(['replay', '-c', cfg, file]);
    expect(first.code, first.stderr).toBe(0);
    // A resend after a slow answer would be a 409 already on the first run: counted, never stored twice.
    expect(line(first.stdout, 'elasticsearch:')).toMatch(
      new RegExp(`^elasticsearch: delivered ${n} \\(duplicates [0-9,]+\\), dead-lettered 0$`),
    );
    expect(await countDocs(node.url, 'rptwice_response')).toBe(log.response);
    expect(await countDocs(node.url, 'rptwice_faulty')).toBe(log.faulty);

    const second = await runCli(['replay', '-c', cfg, file]);
    expect(second.code, second.stderr).toBe(0);
    expect(line(second.stdout, 'elasticsearch:')).toBe(
      `elasticsearch: delivered ${n} (duplicates ${n}), dead-lettered 0`,
    );
    expect(await countDocs(node.url, 'rptwice_response')).toBe(log.response);
    expect(await countDocs(node.url, 'rptwice_faulty')).toBe(log.faulty);
  });

  it('es-mapping-conflict-then-fix: dlq replay delivers the refused events exactly once, then nothing', async () => {
    const log = knownLog(1000, { seed: 42 });
    const file = await writeLog(dir, log.lines);
    const cfg = await esConfig('gax.yaml', node.url, 'rpfix');
    // The conflict: an index created by hand where apiName is a number.
    await es(node.url, 'PUT', '/rpfix_response', {
      settings: { number_of_replicas: 0 },
      mappings: { properties: { apiName: { type: 'long' } } },
    });
    const backfill = await runCli(['replay', '-c', cfg, file]);
    expect(backfill.code).toBe(1);
    expect(line(backfill.stdout, 'elasticsearch:')).toBe(
      `elasticsearch: delivered ${log.faulty} (duplicates 0), dead-lettered ${log.response.toLocaleString('en-US')}`,
    );
    const inspect = JSON.parse((await runCli(['dlq', 'inspect', '-c', cfg, '--json'])).stdout) as {
      pending: number;
      groups: { plugin: string; kind: string; reason: string; count: number }[];
    };
    expect(inspect.pending).toBe(log.response);
    expect(inspect.groups).toHaveLength(1);
    expect(inspect.groups[0]).toMatchObject({
      plugin: 'elasticsearch',
      kind: 'rejected',
      count: log.response,
    });
    expect(inspect.groups[0]?.reason).toMatch(
      /^elasticsearch 400 (document|mapper)_parsing_exception: .*apiName/,
    );

    // The fix: drop the wrong index; the plugin's template applies when it is created again.
    await es(node.url, 'DELETE', '/rpfix_response');
    const replayed = await runCli(['dlq', 'replay', '-c', cfg, '--plugin', 'elasticsearch']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain(
      `delivered: ${log.response.toLocaleString('en-US')} (0 already there: duplicates)`,
    );
    expect(await countDocs(node.url, 'rpfix_response')).toBe(log.response);

    const again = await runCli(['dlq', 'replay', '-c', cfg, '--plugin', 'elasticsearch']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Replayed 0 dead-lettered events');
    const after = JSON.parse((await runCli(['dlq', 'inspect', '-c', cfg, '--json'])).stdout) as {
      pending: number;
    };
    expect(after.pending).toBe(0);

    // Idempotent even without the ledger: every resend is a 409.
    await rm(join(dir, 'state', 'dead-letter.ndjson.replayed'));
    const resent = await runCli(['dlq', 'replay', '-c', cfg, '--plugin', 'elasticsearch']);
    expect(resent.code).toBe(0);
    const r = log.response.toLocaleString('en-US');
    expect(resent.stdout).toContain(`delivered: ${r} (${r} already there: duplicates)`);
    expect(await countDocs(node.url, 'rpfix_response')).toBe(log.response);
    expect(await countDocs(node.url, 'rpfix_faulty')).toBe(log.faulty);
  });

  it('es-down-then-up: events exhausted while the node was unreachable are delivered once after', async () => {
    const log = knownLog(600, { seed: 43 });
    const file = await writeLog(dir, log.lines);
    const down = await esConfig('down.yaml', `http://127.0.0.1:${await freePort()}`, 'rpdown');
    const up = await esConfig('up.yaml', node.url, 'rpdown');
    const failed = await runCli(['replay', '-c', down, '--max-retry', '1s', file]);
    expect(failed.code).toBe(1);
    expect(line(failed.stdout, 'elasticsearch:')).toBe(
      `elasticsearch: delivered 0 (duplicates 0), dead-lettered ${log.events.length}`,
    );
    const dead = await readNdjson<{ kind: string }>(join(dir, 'state', 'dead-letter.ndjson'));
    expect(dead.every((d) => d.kind === 'exhausted')).toBe(true);

    const replayed = await runCli(['dlq', 'replay', '-c', up, '--plugin', 'elasticsearch']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain(`delivered: ${log.events.length} (0 already there: duplicates)`);
    expect(await countDocs(node.url, 'rpdown_response')).toBe(log.response);
    expect(await countDocs(node.url, 'rpdown_faulty')).toBe(log.faulty);
    const again = await runCli(['dlq', 'replay', '-c', up, '--plugin', 'elasticsearch']);
    expect(again.stdout).toContain('Replayed 0 dead-lettered events');
  });
});
