// test-cluster starts the cluster of `npm run cluster` (tools/cluster) for a test file, with
// the test keys of every scope (KEYS) so suites call it as they call the test server.
import { startCluster, type Cluster, type ClusterOptions } from "../../tools/cluster/cluster.js";
import { KEYS } from "../support/test-server.js";

export function startTestCluster(options: Omit<ClusterOptions, "adminKey" | "apiKeys">): Promise<Cluster> {
  return startCluster({
    ...options,
    adminKey: KEYS.admin,
    apiKeys: [
      { name: "manage", key: KEYS.manage, scopes: ["manage"] },
      { name: "check", key: KEYS.check, scopes: ["check"] },
    ],
  });
}
