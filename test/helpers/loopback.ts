import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** A test server listening on 127.0.0.1: its port, and a close that also ends open sockets. */
export interface LoopbackListener {
  readonly port: number;
  /** Stops listening and destroys every open connection (keep-alive ones included). */
  close(): Promise<void>;
}

/** Listens on a free loopback port and tracks connections so `close` never waits for idle ones. */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
