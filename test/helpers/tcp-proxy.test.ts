import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Collects what the server sends until it closes; resolves with the text or rejects with the socket error. */
function exchange(port: number, send: string): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const reply = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString()));
  });
  socket.end(send);
  return { socket, reply };
}

describe('startTcpProxy', () => {
  let upstream: Server;
  let proxy: TcpProxy;
  const held: Socket[] = [];

  beforeAll(async () => {
    // Echoes everything upper-cased once the client half-closes; "hold" keeps the connection open.
    upstream = createServer((s) => {
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => {
        parts.push(c);
        if (c.toString().startsWith('hold')) held.push(s);
      });
      s.on('end', () => s.end(Buffer.concat(parts).toString().toUpperCase().repeat(1000)));
      s.on('error', () => undefined);
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    proxy = await startTcpProxy((upstream.address() as { port: number }).port);
  });

  afterAll(async () => {
    await proxy?.close();
    upstream?.close();
  });

  it('forwards both ways and passes a clean close on without losing bytes', async () => {
    const { reply } = exchange(proxy.port, 'abc');
    expect(await reply).toBe('ABC'.repeat(1000));
  });

  it('cutAll() resets open connections at once', async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    socket.write('hold');
    const closed = new Promise<string>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      socket.once('close', () => resolve('closed'));
    });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(proxy.cutAll()).toBe(1);
    expect(await closed).toBe('ECONNRESET');
    expect(proxy.cutAll()).toBe(0);
  });

  it('refuse(true) resets new connections without reaching the upstream', async () => {
    proxy.refuse(true);
    const before = proxy.accepted;
    await expect(exchange(proxy.port, 'x').reply).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(proxy.accepted).toBe(before + 1);
    proxy.refuse(false);
    expect(await exchange(proxy.port, 'y').reply).toBe('Y'.repeat(1000));
  });
});
