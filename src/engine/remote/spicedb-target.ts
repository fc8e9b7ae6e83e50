// spicedb-target turns SPICEDB_ENDPOINT into a gRPC target. One `host:port` is used as is
// (grpc-js resolves it by DNS and connects to one address). A comma-separated list of nodes
// (`10.0.0.5:50051,10.0.0.6:50051`) becomes one channel over all of them with grpc-js's
// round_robin policy: calls spread over the nodes, and a node that goes down is left out
// until it answers again, so idempotent retries land on a live node.
// NOTE: host names in a list are resolved once, when the engine connects (grpc-js resolves a
// list of literal addresses only); give addresses, or one name that resolves to every node
// (DNS round robin behind a headless service), where nodes move.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export interface SpiceDbTarget {
  /** What grpc-js is given as the target. */
  target: string;
  /** Channel options the target needs (the round_robin policy for a list). */
  channelOptions: Record<string, string>;
  /** The nodes, as given. */
  nodes: string[];
}

const ROUND_ROBIN = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

/** splitEndpoints parses `host:port[,host:port…]`; it throws a readable error for a malformed list. */
export function splitEndpoints(endpoint: string): Array<{ host: string; port: string }> {
  const nodes = endpoint.split(",").map((s) => s.trim()).filter(Boolean);
  if (nodes.length === 0) throw new Error("SPICEDB_ENDPOINT is empty");
  return nodes.map((node) => {
    const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(node);
    if (!match) throw new Error(`SPICEDB_ENDPOINT: "${node}" is not host:port`);
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port: match[2]! };
  });
}

/** resolveTarget builds the gRPC target of SPICEDB_ENDPOINT (see the file comment). */
export async function resolveTarget(endpoint: string): Promise<SpiceDbTarget> {
  const nodes = splitEndpoints(endpoint);
  if (nodes.length === 1) return { target: endpoint.trim(), channelOptions: {}, nodes: [endpoint.trim()] };
  // One channel speaks one address family: each node's IPv4 addresses where every node has
  // one (a name like localhost resolves to both), else every node's IPv6 ones.
  const resolved = await Promise.all(
    nodes.map(async ({ host, port }) => ({ port, ips: isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address) })),
  );
  const family = resolved.every((n) => n.ips.some((ip) => isIP(ip) === 4)) ? 4 : resolved.every((n) => n.ips.some((ip) => isIP(ip) === 6)) ? 6 : undefined;
  if (!family) throw new Error("SPICEDB_ENDPOINT: the nodes share no address family (some resolve to IPv4 only, some to IPv6 only)");
  const addresses = resolved.flatMap(({ port, ips }) => ips.filter((ip) => isIP(ip) === family).map((ip) => (family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`)));
  return {
    target: `ipv${family}:${[...new Set(addresses)].join(",")}`,
    channelOptions: { "grpc.service_config": ROUND_ROBIN },
    nodes: nodes.map((n) => `${n.host}:${n.port}`),
  };
}
