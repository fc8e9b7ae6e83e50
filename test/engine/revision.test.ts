// Pins how zedTokens of SpiceDB's PostgreSQL datastore are read: the snapshot, the transaction a
// write's token names, and which transactions one snapshot sees that another does not (what a
// replica proves its own writes exact with, watch-watermark.ts). Tokens are built here as SpiceDB
// encodes them (DecodedZedToken → V1ZedToken → base64 PostgresRevision).
import { describe, expect, it } from "vitest";
import { atLeastAsFresh, decodeRevision, newlyVisible, type Revision } from "../../src/engine/revision.js";

const varint = (value: bigint): number[] => {
  const bytes: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return bytes;
};
const tag = (number: number, wireType: number) => varint(BigInt((number << 3) | wireType));
const bytesField = (number: number, bytes: Buffer) => [...tag(number, 2), ...varint(BigInt(bytes.length)), ...bytes];

/** pgToken encodes a PostgreSQL snapshot (and a write's own txid) as SpiceDB's zedToken. */
function pgToken(snapshot: { xmin: number; xmax: number; xips?: number[]; txid?: number }, datastore = "ds-1"): string {
  const revision = Buffer.from([
    ...tag(1, 0),
    ...varint(BigInt(snapshot.xmin)),
    ...tag(2, 0),
    ...varint(BigInt(snapshot.xmax - snapshot.xmin)),
    ...(snapshot.xips?.length ? bytesField(3, Buffer.from(snapshot.xips.flatMap((x) => varint(BigInt(x - snapshot.xmin))))) : []),
    ...(snapshot.txid ? [...tag(4, 0), ...varint(BigInt(snapshot.txid))] : []),
  ]);
  const v1 = Buffer.from([...bytesField(1, Buffer.from(revision.toString("base64"), "latin1")), ...bytesField(2, Buffer.from(datastore, "latin1"))]);
  return Buffer.from(bytesField(3, v1)).toString("base64");
}
const decode = (token: string): Revision => {
  const revision = decodeRevision(token);
  if (!revision) throw new Error(`undecodable ${token}`);
  return revision;
};

describe("PostgreSQL revisions", () => {
  it("reads the snapshot and the transaction a write's token names", () => {
    expect(decode(pgToken({ xmin: 100, xmax: 104, xips: [100, 102], txid: 103 }))).toEqual({ kind: "snapshot", xmin: 100n, xmax: 104n, xips: [100n, 102n], txid: 103n, datastore: "ds-1" });
    expect(decode(pgToken({ xmin: 100, xmax: 100 }))).not.toHaveProperty("txid");
  });

  it("lists the transactions the later snapshot sees and the earlier does not", () => {
    // The watch's checkpoint: 100 and 102 in progress, 103 and on not yet begun.
    const mark = decode(pgToken({ xmin: 100, xmax: 103, xips: [100, 102] }));
    // This replica's write 104, begun while 100 was still in progress (SpiceDB marks its own txid complete).
    const own = decode(pgToken({ xmin: 100, xmax: 105, xips: [100], txid: 104 }));
    expect(newlyVisible(mark, own, 1_024)).toEqual([102n, 103n, 104n]);
    // Nothing in between: only its own transaction.
    const alone = decode(pgToken({ xmin: 103, xmax: 104, txid: 103 }));
    expect(newlyVisible(decode(pgToken({ xmin: 103, xmax: 103 })), alone, 1_024)).toEqual([103n]);
    // A snapshot the mark already covers: nothing new.
    expect(newlyVisible(mark, decode(pgToken({ xmin: 100, xmax: 102, xips: [100] })), 1_024)).toEqual([]);
    expect(atLeastAsFresh(own, mark)).toBe(true);
  });

  it("gives no answer across datastores, for other revision shapes, or past the span it may look at", () => {
    const mark = decode(pgToken({ xmin: 100, xmax: 103 }));
    expect(newlyVisible(mark, decode(pgToken({ xmin: 103, xmax: 104, txid: 103 }, "ds-2")), 1_024)).toBeUndefined();
    expect(newlyVisible(mark, decode(pgToken({ xmin: 5_000, xmax: 5_001, txid: 5_000 })), 1_024)).toBeUndefined();
    expect(newlyVisible(mark, { kind: "number", value: 7n, datastore: "ds-1" }, 1_024)).toBeUndefined();
  });
});
