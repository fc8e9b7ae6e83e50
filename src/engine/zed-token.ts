// zed-token reads the revision inside a SpiceDB ZedToken, so the check cache can tell whether
// a cached answer is at least as fresh as a token a client sent. A ZedToken is base64 of the
// DecodedZedToken protobuf: field 3 (v1) holds {1: revision, 2: datastore id}. Anything else
// (older formats, other datastores' revision shapes, garbage) decodes to undefined, and the
// cache then leaves the request to the engine.

export interface TokenRevision {
  /** The datastore revision; SpiceDB's memory datastore counts nanoseconds. */
  revision: bigint;
  /** Which datastore instance issued it: a restarted embedded engine is a new one. */
  datastore: string;
}

export function decodeZedToken(token: string): TokenRevision | undefined {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(token, "base64");
  } catch {
    return undefined;
  }
  const v1 = field(bytes, 3);
  if (!v1) return undefined;
  const revision = field(v1, 1)?.toString("latin1");
  if (!revision || !/^\d{1,30}$/.test(revision)) return undefined;
  return { revision: BigInt(revision), datastore: field(v1, 2)?.toString("latin1") ?? "" };
}

/** field returns the bytes of the first length-delimited field with this number. */
function field(bytes: Buffer, wanted: number): Buffer | undefined {
  let at = 0;
  while (at < bytes.length) {
    const tag = varint(bytes, at);
    if (!tag) return undefined;
    at = tag.next;
    const number = tag.value >>> 3;
    const wireType = tag.value & 7;
    if (wireType === 0) {
      const skipped = varint(bytes, at);
      if (!skipped) return undefined;
      at = skipped.next;
    } else if (wireType === 2) {
      const length = varint(bytes, at);
      if (!length || length.next + length.value > bytes.length) return undefined;
      if (number === wanted) return bytes.subarray(length.next, length.next + length.value);
      at = length.next + length.value;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function varint(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 0; shift < 28 && at < bytes.length; shift += 7) {
    const byte = bytes[at++]!;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: at };
  }
  return undefined;
}
