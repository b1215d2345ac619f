import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A generic loopback TCP proxy for "connection lost" faults: it forwards bytes both ways between
 * each client and its own upstream connection to `127.0.0.1:<targetPort>`, without parsing them.
 * `cutAll()` resets every open pair at once (the client sees ECONNRESET mid-conversation, the
 * server sees its client vanish, e.g. PostgreSQL rolls back an open transaction), and `refuse(true)`
 * resets new connections as soon as they are accepted, like a server that is down.
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open client/upstream pair now; returns how many pairs were cut. */
  cutAll(): number;
  /** While on, new connections are reset at once (never forwarded); open ones are left alone. */
  refuse(on: boolean): void;
  /** Connections accepted so far (refused ones included). */
  readonly accepted: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts the proxy on a free 127.0.0.1 port (or `port`) towards `127.0.0.1:<targetPort>`. */
export async function startTcpProxy(targetPort: number, port = 0): Promise<TcpProxy> {
  let refusing = false;
  let accepted = 0;
  const pairs = new Set<() => void>();
  // Half-open on both sides: a client's FIN is passed on and the server's answer still flows back.
  const server: Server = createServer({ allowHalfOpen: true }, (client: Socket) => {
    accepted++;
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    const cut = () => {
      pairs.delete(cut);
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.resetAndDestroy();
    };
    pairs.add(cut);
    client.pipe(upstream);
    upstream.pipe(client);
    // An error on either side resets both; a clean close ends the other side after its writes.
    client.on('error', cut);
    upstream.on('error', cut);
    const closed = (other: Socket) => () => {
      other.end();
      if (client.destroyed && upstream.destroyed) pairs.delete(cut);
    };
    client.on('close', closed(upstream));
    upstream.on('close', closed(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  const cutAll = (): number => {
    const open = [...pairs];
    for (const cut of open) cut();
    return open.length;
  };
  return {
    port: address.port,
    cutAll,
    refuse(on) {
      refusing = on;
    },
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
