// tcp-proxy forwards a loopback port to another (here: PostgreSQL), and can be cut: stop()
// drops every connection and refuses new ones, start() serves again on the same port. It
// stands for PostgreSQL going down (or a network partition) without touching the server that
// other test files share. hold() keeps what the target sends back until release() (a watch that
// falls behind while its connection stays up).
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** hold keeps the target's replies (on every connection) until release. */
  hold(): void;
  release(): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let held: Array<{ client: Socket; chunk: Buffer }> | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream);
        upstream.on("data", (chunk: Buffer) => {
          if (held) held.push({ client, chunk });
          else client.write(chunk);
        });
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async stop() {
      if (!server) return;
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise((resolve) => s.close(resolve));
    },
    async start() {
      if (!server) await listen();
    },
    hold() {
      held ??= [];
    },
    release() {
      const replies = held ?? [];
      held = undefined;
      for (const { client, chunk } of replies) if (!client.destroyed) client.write(chunk);
    },
  };
}
