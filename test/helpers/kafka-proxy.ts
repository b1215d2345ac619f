import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a Kafka broker that can lose the answers to produce requests
 * after the broker applied them: the request is forwarded, the broker writes the records and
 * answers, and the proxy resets the client connection instead of passing the answer on. That is
 * the case an idempotent producer exists for (written, never acknowledged), which killing the
 * broker hardly ever hits. The broker must advertise the proxy's address
 * (`advertised.listeners=PLAINTEXT://127.0.0.1:<proxy port>`) so that clients reach the partition
 * leader through it too.
 *
 * Kafka frames are a 4-byte big-endian size and the message; a request header starts with
 * api key (int16), api version (int16) and correlation id (int32), a response header with the
 * correlation id. Produce is api key 0.
 */
export interface KafkaProxy {
  readonly port: number;
  /** Loses the answers to the next `times` produce requests (connection reset after the write). */
  loseProduceAnswers(times: number): void;
  /** Produce answers lost so far. */
  readonly lost: number;
  close(): Promise<void>;
}

const PRODUCE = 0;

/** Splits a byte stream into Kafka frames; calls `onFrame` with each whole frame (size included). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size) return;
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

/** Starts the proxy on `port` (0: any free port) towards `127.0.0.1:<targetPort>`. */
export async function startKafkaProxy(targetPort: number, port = 0): Promise<KafkaProxy> {
  let armed = 0;
  let lost = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const doomed = new Set<number>();
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    const fromClient = framer((frame) => {
      if (frame.length >= 12 && frame.readInt16BE(4) === PRODUCE && armed > 0) {
        armed--;
        doomed.add(frame.readInt32BE(8));
      }
      upstream.write(frame);
    });
    client.on('data', fromClient);
    const fromBroker = framer((frame) => {
      if (frame.length >= 8 && doomed.has(frame.readInt32BE(4))) {
        lost++;
        end();
        return;
      }
      client.write(frame);
    });
    upstream.on('data', fromBroker);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('kafka proxy: no port');
  return {
    port: address.port,
    loseProduceAnswers(times) {
      armed = times;
    },
    get lost() {
      return lost;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
