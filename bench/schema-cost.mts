// schema-cost: the raw embedded engine's check rate on the team dataset for one or more schema
// files, measured in alternation in one process (a schema's evaluation cost, nothing else).
//   npx tsx bench/schema-cost.mts schema.zed other.zed [--seconds 8] [--rounds 2] [--concurrency 64]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedEngine } from "../src/engine/embedded/embedded-engine.js";
import { parseRelationship } from "../src/validate/parse-relationship.js";
import type { Relationship } from "../src/engine/engine.js";
import { generate, relationshipsOf } from "./lib/dataset.js";
import { buildPools } from "./lib/pools.js";

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const seconds = Number(option("seconds") ?? 8);
const rounds = Number(option("rounds") ?? 2);
const concurrency = Number(option("concurrency") ?? 64);
const files = argv;

const dataset = generate("team");
const unique = [...new Set(dataset.byOrg.flat().flatMap(relationshipsOf))];
const relationships: Relationship[] = unique.map((text) => {
  const parsed = parseRelationship(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error}`);
  return parsed.value;
});
const { items } = buildPools(dataset);

const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const file of files) {
    const dataDir = mkdtempSync(join(tmpdir(), "schema-cost-"));
    const engine = await EmbeddedEngine.open({ schema: readFileSync(file, "utf8"), dataDir });
    for (let i = 0; i < relationships.length; i += 1000) {
      await engine.write(relationships.slice(i, i + 1000).map((relationship) => ({ operation: "touch" as const, relationship })));
    }
    let next = 0;
    let count = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          await engine.check(items[next++ % items.length]!);
          count += 1;
        }
      }),
    );
    const rate = count / ((performance.now() - t0) / 1000);
    results.set(file, [...(results.get(file) ?? []), rate]);
    console.log(`round ${round + 1} ${file}: ${Math.round(rate)} checks/s`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const base = results.get(files[0]!)!;
for (const file of files) {
  const rates = results.get(file)!;
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const baseMean = base.reduce((a, b) => a + b, 0) / base.length;
  console.log(`${file}: mean ${Math.round(mean)} checks/s (${(mean / baseMean).toFixed(2)}× ${files[0]})`);
}
