// WalFlush makes SQLite commits durable without blocking the event loop. Embedded mode keeps its
// truth in two SQLite files in WAL mode (the relationship journal, the app-state store). With
// synchronous=FULL every commit calls fsync on the main thread: ~0.2 ms at best, often 2–10 ms on
// this machine's disk, three times per share (audit entry, journal, audit commit) — 6.4 ms of the
// event loop per share, measured, which is time no check is answered. So the files run with
// synchronous=NORMAL (a commit writes its WAL frames to the OS and returns; the process may die
// with kill -9 and lose nothing) and, before anything is acknowledged, WalFlush calls fsync on the
// WAL files on libuv's thread pool. That is the guarantee FULL gives (the commit's frames are on
// disk before the caller is answered), reached off the event loop.
//
// Flushes are grouped: a caller is answered by the first fsync that started after it asked, so
// callers that ask while one runs share the next. Every flush syncs every file of the group, so
// an acknowledged change never depends on a commit of the other file that is not on disk yet
// (the audit entry ahead of its journal change). A failed fsync leaves the files' state on disk
// unknown (the kernel may have dropped the dirty pages): the group fails every later flush, so
// nothing more is acknowledged until the process is restarted and the files are read again.
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";

interface WatchedFile {
  wal: string;
  handle?: FileHandle;
}

export class WalFlush {
  private readonly files = new Set<WatchedFile>();
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private failure: Error | undefined;
  /** How many fsync rounds ran, and how many flushes asked for them (tests and metrics read these). */
  readonly stats = { rounds: 0, asked: 0 };

  /** watch adds a database file (its `-wal` file is synced); the returned function stops watching it. */
  watch(databasePath: string): () => Promise<void> {
    const file: WatchedFile = { wal: `${databasePath}-wal` };
    this.files.add(file);
    return async () => {
      this.files.delete(file);
      await file.handle?.close().catch(() => undefined);
      file.handle = undefined;
    };
  }

  /** flush resolves once every commit made before the call is on disk. */
  flush(): Promise<void> {
    this.stats.asked += 1;
    return this.round();
  }

  private round(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) {
      this.running = this.syncAll().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The running round may have started before this caller's commit: the next one covers it.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.round();
      });
    return this.next;
  }

  private async syncAll(): Promise<void> {
    this.stats.rounds += 1;
    try {
      await Promise.all([...this.files].map((file) => this.sync(file)));
    } catch (err) {
      this.failure = new Error(`fsync failed, nothing more is acknowledged until a restart: ${(err as Error).message}`, { cause: err });
      throw this.failure;
    }
  }

  private async sync(file: WatchedFile): Promise<void> {
    if (!file.handle) {
      try {
        const handle = await open(file.wal, constants.O_RDONLY);
        // Unwatched while it opened (its database closed): nothing to sync, nothing to keep open.
        if (!this.files.has(file)) return void (await handle.close());
        file.handle = handle;
      } catch (err) {
        // No WAL file yet: nothing was committed to it.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
      }
      // The WAL file's directory entry must be on disk too (once, when it is first seen).
      const dir = await open(dirname(file.wal), constants.O_RDONLY);
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
    await file.handle.sync();
  }
}
