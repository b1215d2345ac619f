/**
 * The kafka plugin's TLS and SASL options against a real broker with a `SASL_SSL` listener (a
 * self-signed certificate for 127.0.0.1; PLAIN and SCRAM-SHA-512), run as users run `gax run`:
 * events arrive with each mechanism; a wrong password or an untrusted certificate delivers
 * nothing and loses nothing (the events wait, retried, until the config is fixed). And
 * `gax setup kafka` over the same listener: creates the topics, idempotently, or says why not.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { runCli, startCli } from '../helpers/cli.js';
import { type KafkaBroker, startKafka } from '../helpers/kafka.js';
import { addScramUser } from '../helpers/kafka-scram.js';
import { freePort } from '../helpers/prometheus.js';
import { appendLines, createSandbox, Daemons, type Sandbox, sleep } from '../helpers/tail-harness.js';
import { selfSignedCert } from '../helpers/tls.js';

let broker: KafkaBroker | undefined;
let certDir: string;
let caFile: string;
let secure: string;
let box: Sandbox;
let daemons: Daemons;
let topicSeq = 0;

beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'gax-kafka-tls-'));
  const cert = selfSignedCert(certDir);
  caFile = cert.certFile;
  const pem = join(certDir, 'broker.pem');
  writeFileSync(pem, readFileSync(cert.keyFile, 'utf8') + readFileSync(cert.certFile, 'utf8'));
  const port = await freePort();
  secure = `127.0.0.1:${port}`;
  broker = await startKafka({
    secureListener: { port, protocol: 'SASL_SSL' },
    config: {
      'listener.name.secure.ssl.keystore.type': 'PEM',
      'listener.name.secure.ssl.keystore.location': pem,
      'listener.name.secure.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
      'listener.name.secure.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_gax-plain="plain-secret";',
      'listener.name.secure.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    },
  });
  await addScramUser(broker.bootstrap, 'gax-scram', 'scram-secret');
}, 600_000);

afterAll(async () => {
  await broker?.destroy();
  await rm(certDir, { recursive: true, force: true });
});

beforeEach(async () => {
  box = createSandbox(await mkdtemp(join(tmpdir(), 'gax-kafka-sec-')));
  mkdirSync(box.logDir, { recursive: true });
  daemons = new Daemons();
});

afterEach(async () => {
  await daemons.killAll();
  await rm(box.dir, { recursive: true, force: true });
});

function kafka(): KafkaBroker {
  if (broker === undefined) throw new Error('no broker');
  return broker;
}

interface Security {
  readonly mechanism: 'PLAIN' | 'SCRAM-SHA-512';
  readonly username: string;
  readonly password: string;
  /** Trust the broker's self-signed certificate (else the public CAs only). */
  readonly trust: boolean;
}

/** The sandbox config: the kafka plugin only, over SASL_SSL; the password from the environment. */
function configure(topic: string, port: number, security: Security): NodeJS.ProcessEnv {
  const q = JSON.stringify;
  writeFileSync(
    box.config,
    [
      'inputs:',
      `  - paths: [${q(box.log)}]`,
      '    pollIntervalMs: 20',
      `state: { dir: ${q(box.stateDir)} }`,
      `server: { host: 127.0.0.1, port: ${port} }`,
      'pipeline: { batchMaxWaitMs: 20, retry: { initialIntervalMs: 50, maxIntervalMs: 500 } }',
      'log: { level: warn, format: json }',
      'plugins:',
      '  prometheus: { enabled: false }',
      '  kafka:',
      '    enabled: true',
      `    brokers: [${q(secure)}]`,
      `    topic: ${q(topic)}`,
      '    timeoutMs: 5000',
      security.trust ? `    tls: { caFile: ${q(caFile)} }` : '    tls: {}',
      `    sasl: { mechanism: ${security.mechanism}, username: ${q(security.username)}, password: "\${GAX_KAFKA_PASSWORD}" }`,
      '',
    ].join('\n'),
  );
  return { GAX_KAFKA_PASSWORD: security.password };
}

async function idsOnTopic(topic: string): Promise<string[]> {
  const records = await kafka().readTopic(topic, { timeoutMs: 30_000 });
  return records.map((r) => r.keyText ?? '');
}

async function waitForIds(topic: string, ids: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await idsOnTopic(topic);
    if (ids.every((id) => seen.includes(id)) || Date.now() > deadline) return seen;
    await sleep(300);
  }
}

async function metric(port: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** `gax run` on the sandbox with `env` added to its environment. */
function start(env: NodeJS.ProcessEnv) {
  return daemons.start(box, (args) => startCli(args, { env }));
}

describe('kafka plugin over SASL_SSL', () => {
  for (const [mechanism, username, password] of [
    ['SCRAM-SHA-512', 'gax-scram', 'scram-secret'],
    ['PLAIN', 'gax-plain', 'plain-secret'],
  ] as const) {
    it(`${mechanism} over TLS with the broker's CA: every event on the topic once`, async () => {
      const topic = `gax-sasl-${++topicSeq}`;
      await kafka().createTopic(topic, 2);
      const env = configure(topic, await freePort(), { mechanism, username, password, trust: true });
      const ids = appendLines(box.log, createGenerator({ seed: topicSeq }), 500);
      const run = start(env);
      const seen = await waitForIds(topic, ids, 30_000);
      expect(await daemons.stop(run), run.output()).toBe(0);
      expect(seen.sort()).toEqual([...ids].sort());
    }, 120_000);
  }

  it('a wrong password or an untrusted certificate delivers nothing and loses nothing', async () => {
    const topic = `gax-sasl-${++topicSeq}`;
    await kafka().createTopic(topic, 2);
    const ids = appendLines(box.log, createGenerator({ seed: 99 }), 300);
    const scram = { mechanism: 'SCRAM-SHA-512', username: 'gax-scram' } as const;
    for (const security of [
      { ...scram, password: 'wrong', trust: true },
      { ...scram, password: 'scram-secret', trust: false },
    ]) {
      const port = await freePort();
      const run = start(configure(topic, port, security));
      let retried = 0;
      for (let waited = 0; retried === 0 && waited < 20_000; waited += 250) {
        await sleep(250);
        retried = await metric(port, 'gax_events_retried_total{plugin="kafka"}').catch(() => 0);
      }
      const delivered = await metric(port, 'gax_events_delivered_total{plugin="kafka"}');
      expect(await daemons.stop(run), run.output()).toBe(0);
      expect(delivered, JSON.stringify(security)).toBe(0);
      expect(retried, `sends retried with ${JSON.stringify(security)}`).toBeGreaterThan(0);
      expect(run.output(), 'the reason is logged').toMatch(
        security.trust ? /SASL_AUTHENTICATION_FAILED/ : /self[- ]signed certificate/,
      );
      expect(await idsOnTopic(topic)).toEqual([]);
    }
    // Fixed: everything that waited arrives.
    const run = start(
      configure(topic, await freePort(), { ...scram, password: 'scram-secret', trust: true }),
    );
    const seen = await waitForIds(topic, ids, 30_000);
    expect(await daemons.stop(run), run.output()).toBe(0);
    expect(seen.sort()).toEqual([...ids].sort());
  }, 120_000);

  it('gax setup kafka creates the {eventType} topics over SASL_SSL, idempotently, and says why when it cannot', async () => {
    const topic = `gax-setup-${++topicSeq}-{eventType}`;
    const env = configure(topic, await freePort(), {
      mechanism: 'SCRAM-SHA-512',
      username: 'gax-scram',
      password: 'scram-secret',
      trust: true,
    });
    const setup = (...extra: string[]) =>
      runCli(['setup', 'kafka', '--config', box.config, ...extra], { env });

    // The default replication factor (3) needs three brokers: Kafka's reason, exit 1, nothing made.
    const refused = await setup();
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/GAX_ERR_SETUP_FAILED/);
    expect(refused.stderr).toMatch(/INVALID_REPLICATION_FACTOR/);

    const created = await setup('--partitions', '4', '--replication-factor', '1', '--retention', '48');
    expect(created.code, created.stderr).toBe(0);
    const names = ['response', 'faulty'].map((t) => topic.replace('{eventType}', t));
    for (const name of names)
      expect(created.stdout).toMatch(new RegExp(`${name}\\s+created \\(4 partitions\\)`));
    expect(created.stdout).toMatch(/done: 2 topics \(2 created, 0 existed\)/);

    const again = await setup('--partitions', '9', '--replication-factor', '1');
    expect(again.code, again.stderr).toBe(0);
    for (const name of names)
      expect(again.stdout).toMatch(new RegExp(`${name}\\s+exists \\(4 partitions\\)`));

    const usage = await setup('--partitions', 'many');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--partitions must be a positive integer/);
  }, 120_000);
});
