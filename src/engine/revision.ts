// revision reads the datastore revision inside a SpiceDB zedToken and orders two of them, so
// the check cache can tell whether an answer (or the change stream it has seen) is at least as
// fresh as a request asks. A zedToken is base64 of DecodedZedToken; its v1 form (field 3)
// holds {1: revision, 2: datastore id}. Two revision shapes are read:
// - a decimal number: the memory datastore (nanoseconds), MySQL (transaction ids) — a total order;
// - PostgreSQL's: base64 of PostgresRevision {1: xmin, 2: xmax − xmin, 3: xips − xmin, 4: txid,
//   5: timestamp}, a snapshot; a write's token also names its own transaction (txid). Snapshots
//   are partly ordered, as SpiceDB orders them (internal/datastore/postgres/snapshot.go): one is
//   at least as fresh as another when it sees every transaction the other sees; two may be
//   concurrent, and neither is.
// Anything else (CockroachDB's HLC, older token formats, garbage) decodes to undefined, and the
// cache then leaves the request to the engine.

export type Revision =
  | { kind: "number"; value: bigint; datastore: string }
  | { kind: "snapshot"; xmin: bigint; xmax: bigint; xips: bigint[]; datastore: string; timestampNs?: bigint; txid?: bigint };

/** decodeRevision reads a zedToken's revision, or undefined when it is not one Accord can order. */
export function decodeRevision(token: string): Revision | undefined {
  const v1 = field(base64(token), 3);
  if (!v1) return undefined;
  const text = field(v1, 1)?.toString("latin1");
  const datastore = field(v1, 2)?.toString("latin1") ?? "";
  if (!text) return undefined;
  if (/^\d{1,30}$/.test(text)) return { kind: "number", value: BigInt(text), datastore };
  return snapshotOf(base64(text), datastore);
}

/**
 * atLeastAsFresh says whether revision `have` has seen everything revision `wanted` has: an
 * answer at `have` may serve a request for `wanted`. Revisions of different datastores (or
 * shapes) are never comparable.
 */
export function atLeastAsFresh(have: Revision | undefined, wanted: Revision | undefined): boolean {
  if (!wanted) return true;
  if (!have || have.datastore !== wanted.datastore || have.kind !== wanted.kind) return false;
  if (have.kind === "number") return have.value >= (wanted as Extract<Revision, { kind: "number" }>).value;
  return seesAll(have, wanted as Extract<Revision, { kind: "snapshot" }>);
}

/** revisionDecoder is decodeRevision remembering the last `size` tokens (the same ones come back on every request). */
export function revisionDecoder(size: number): (token: string) => Revision | undefined {
  const decoded = new Map<string, Revision | undefined>();
  return (token) => {
    if (decoded.has(token)) return decoded.get(token);
    const revision = decodeRevision(token);
    if (decoded.size >= size) decoded.delete(decoded.keys().next().value!);
    decoded.set(token, revision);
    return revision;
  };
}

type Snapshot = Extract<Revision, { kind: "snapshot" }>;

/**
 * newlyVisible lists the transactions revision `to` sees and `from` does not — what happened
 * between them — or undefined when the two cannot be compared (not PostgreSQL snapshots of one
 * datastore) or more than `limit` transaction ids lie between them.
 */
export function newlyVisible(from: Revision, to: Revision, limit: number): bigint[] | undefined {
  if (from.kind !== "snapshot" || to.kind !== "snapshot" || from.datastore !== to.datastore) return undefined;
  if (to.xmax - from.xmax > BigInt(limit)) return undefined;
  const seen: bigint[] = [];
  // What `from` does not see: its in-progress transactions and everything from its horizon on.
  for (const txid of from.xips) if (visible(to, txid)) seen.push(txid);
  for (let txid = from.xmax; txid < to.xmax; txid++) if (visible(to, txid)) seen.push(txid);
  return seen;
}

const visible = (s: Snapshot, txid: bigint) => txid < s.xmin || (txid < s.xmax && !s.xips.includes(txid));

/**
 * seesAll: x sees every transaction t sees — no transaction x holds in progress is settled
 * for t, and t sees nothing at or past x's horizon (xmax).
 */
function seesAll(x: Snapshot, t: Snapshot): boolean {
  if (x.xips.some((txid) => visible(t, txid))) return false;
  if (t.xmax <= x.xmax) return true;
  // Every transaction in [x.xmax, t.xmax) must still be in progress for t.
  const pending = t.xips.filter((txid) => txid >= x.xmax && txid < t.xmax).length;
  return BigInt(pending) === t.xmax - x.xmax;
}

function snapshotOf(bytes: Buffer, datastore: string): Snapshot | undefined {
  const fields = readFields(bytes);
  if (!fields) return undefined;
  let xmin: bigint | undefined;
  let relativeXmax = 0n;
  const relativeXips: bigint[] = [];
  let timestampNs: bigint | undefined;
  let txid: bigint | undefined;
  for (const f of fields) {
    if (f.value !== undefined) {
      if (f.number === 1) xmin = f.value;
      else if (f.number === 2) relativeXmax = signed(f.value);
      else if (f.number === 3) relativeXips.push(signed(f.value));
      else if (f.number === 4) txid = f.value;
      else if (f.number === 5) timestampNs = f.value;
    } else if (f.number === 3) {
      // Packed repeated int64.
      for (let p = 0; p < f.bytes.length; ) {
        const value = varint(f.bytes, p);
        if (!value) return undefined;
        relativeXips.push(signed(value.value));
        p = value.next;
      }
    }
  }
  if (xmin === undefined) return undefined;
  return { kind: "snapshot", xmin, xmax: xmin + relativeXmax, xips: relativeXips.map((x) => xmin! + x), datastore, ...(timestampNs ? { timestampNs } : {}), ...(txid ? { txid } : {}) };
}

/** signed reads a proto int64 carried as an unsigned 64-bit varint. */
const signed = (value: bigint) => (value >= 1n << 63n ? value - (1n << 64n) : value);

function base64(text: string): Buffer {
  try {
    return Buffer.from(text, "base64");
  } catch {
    return Buffer.alloc(0);
  }
}

/** field returns the bytes of the first length-delimited field with this number. */
function field(bytes: Buffer, wanted: number): Buffer | undefined {
  const found = readFields(bytes)?.find((f) => f.number === wanted && f.value === undefined);
  return found?.bytes;
}

type ProtoField = { number: number; value: bigint; bytes?: undefined } | { number: number; value?: undefined; bytes: Buffer };

/** readFields splits a protobuf message into its varint and length-delimited fields; undefined when malformed (or another wire type). */
function readFields(bytes: Buffer): ProtoField[] | undefined {
  const fields: ProtoField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = varint(bytes, at);
    if (!tag) return undefined;
    at = tag.next;
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === 0) {
      const value = varint(bytes, at);
      if (!value) return undefined;
      fields.push({ number, value: value.value });
      at = value.next;
    } else if (wireType === 2) {
      const length = varint(bytes, at);
      if (!length || length.next + Number(length.value) > bytes.length) return undefined;
      const end = length.next + Number(length.value);
      fields.push({ number, bytes: bytes.subarray(length.next, end) });
      at = end;
    } else {
      return undefined;
    }
  }
  return fields;
}

function varint(bytes: Buffer, at: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  return undefined;
}
