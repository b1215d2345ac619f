// A loopback TCP forwarder that can be switched off and on: the outage of `es-outage.mjs`. Off, it
// closes its port and drops every connection, so a client sees what a stopped server gives it
// (connection refused); on, it listens on the same port again.
import { connect, createServer } from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP forwarder to `target` that can be switched off (closed port, connections dropped) and on. */
export async function startSwitch(target) {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    down: async () => {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
    up: async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await listen(port);
        } catch (err) {
          if (err.code !== 'EADDRINUSE' || attempt >= 100) throw err;
          await sleep(100);
        }
      }
    },
  };
}
