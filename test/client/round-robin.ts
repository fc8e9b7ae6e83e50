// round-robin is a load balancer in front of Accord replicas, as a deployment has one: each HTTP
// request goes to the next replica in turn, so a write and the read after it land on different
// replicas. It forwards requests unchanged and logs which replica served what.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobin {
  url: string;
  /** served: one entry per request, `<replica index> <method> <path>`. */
  served: string[];
  close(): Promise<void>;
}

export async function startRoundRobin(targets: string[]): Promise<RoundRobin> {
  let next = 0;
  const served: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const index = next;
    next = (next + 1) % targets.length;
    served.push(`${index} ${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string" && name !== "host" && name !== "connection") headers[name] = value;
    try {
      const answer = await fetch(targets[index]! + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await answer.arrayBuffer());
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection" && name !== "keep-alive") out[name] = value;
      });
      res.writeHead(answer.status, { ...out, "content-length": String(body.length) }).end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
