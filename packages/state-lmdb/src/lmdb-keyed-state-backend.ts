/**
 * The LMDB keyed-state backend: working state lives in an LMDB environment of its own per
 * operator subtask (a directory under the state dir, deleted when the task ends), keyed by
 * [stateName, keyGroup, key] so a key group is one contiguous range, with a write-back cache of
 * recently used entries in front (lmdb-states.ts). The state kinds and TTL are the heap's.
 * LMDB holds working state only: a checkpoint reads it into the same backend-independent shape
 * as the heap's (so a checkpoint of one backend restores into the other), and a restore loads
 * the entries of this backend's key groups into LMDB. A snapshot's synchronous part writes the
 * cache to LMDB and opens a read transaction; its entries are then read, key group by key group,
 * from that transaction (a consistent view of the state at the barrier, LMDB being MVCC) while
 * the task goes on writing.
 */
import { mkdirSync, rmSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  assignToKeyGroup,
  type Clock,
  checkKeyGroup,
  createHeapState,
  type HeapState,
  type Key,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyGroupEntries,
  type KeyGroupRange,
  type KeyGroupStates,
  readSnapshotGroups,
  restoredKindError,
  SnapshotCancelledError,
  type StateDescriptor,
  type StateKind,
  stateKindError,
} from "@eddy/core/state-backend";
import { type LmdbDatabase, type LmdbKey, type LmdbReadTransaction, LmdbStateStore } from "./lmdb-states.ts";

export interface LmdbStateOptions {
  /** The directory of this backend's LMDB environment (created; deleted by dispose). */
  dir: string;
  /** Cached entries (over all states) before the cache is written to LMDB. Default 10,000. */
  cacheEntries?: number;
}

interface LmdbModule {
  open(options: Record<string, unknown>): LmdbDatabase & { close(): unknown };
}

let lmdbModule: LmdbModule | undefined;
/** Loaded on first use, so importing this package (the eddy command does) loads no native module. */
function lmdb(): LmdbModule {
  lmdbModule ??= createRequire(import.meta.url)("lmdb") as LmdbModule;
  return lmdbModule;
}

/** A directory name for one subtask's environment: `<operatorUid>-<subtask>-<random>`. */
export function lmdbStateDir(stateDir: string, jobName: string, uid: string, subtask: number): string {
  const random = Math.random().toString(36).slice(2, 10);
  // The process id in the name lets a later run remove what a killed process left behind.
  return join(stateDir, safeName(jobName), `${safeName(uid)}-${subtask}-p${process.pid}-${random}`);
}

function safeName(s: string): string {
  return s.replace(/[^\w.-]/g, "_");
}

/**
 * Removes the working LMDB directories of a job that belong to processes no longer running (a
 * process killed with SIGKILL cannot delete its own). Checkpoints hold the state; these are scratch.
 */
export async function removeStaleStateDirs(stateDir: string, jobName: string): Promise<number> {
  const dir = join(stateDir, safeName(jobName));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = /-p(\d+)-[a-z0-9]+$/.exec(name);
    if (match === null || isRunning(Number(match[1]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class LmdbKeyedStateBackend implements KeyedStateBackend {
  currentKey: Key = 0;
  currentKeyGroup: number;
  private readonly db: LmdbDatabase & { close(): unknown };
  private readonly dir: string;
  private readonly cacheEntries: number;
  private readonly states = new Map<string, { store: LmdbStateStore<any>; state: HeapState }>();
  /** Kinds of states restored into LMDB and not registered (yet) in this run. */
  private readonly restoredKinds = new Map<string, StateKind>();
  private cached = 0;
  private disposed = false;
  /** Snapshots being read: the environment stays open until the last one is released. */
  private readonly snapshots = new Set<LmdbKeyedStateSnapshot>();

  constructor(
    readonly maxParallelism: number,
    readonly range: KeyGroupRange,
    readonly clock: Clock,
    private readonly operatorName: string,
    options: LmdbStateOptions,
  ) {
    this.currentKeyGroup = range.start;
    this.dir = options.dir;
    this.cacheEntries = options.cacheEntries ?? 10_000;
    mkdirSync(this.dir, { recursive: true });
    this.db = lmdb().open({
      path: join(this.dir, "state.mdb"),
      structuredClone: true,
      compression: false,
      // Working state only: a crash restores from the checkpoint, so no fsync.
      noSync: true,
      noMetaSync: true,
    });
  }

  setCurrentKey(key: Key): void {
    this.currentKey = key;
    const kg = assignToKeyGroup(key, this.maxParallelism);
    checkKeyGroup(this.operatorName, key, kg, this.range);
    this.currentKeyGroup = kg;
  }

  setCurrentKeyAndGroup(key: Key, keyGroup: number): void {
    this.currentKey = key;
    this.currentKeyGroup = keyGroup;
  }

  getState<S>(descriptor: StateDescriptor): S {
    const existing = this.states.get(descriptor.name);
    if (existing) {
      if (existing.store.descriptor.kind !== descriptor.kind)
        throw stateKindError(
          this.operatorName,
          descriptor.name,
          descriptor.kind,
          existing.store.descriptor.kind,
        );
      return existing.state as S;
    }
    const restored = this.restoredKinds.get(descriptor.name);
    if (restored !== undefined) {
      if (restored !== descriptor.kind)
        throw restoredKindError(this.operatorName, descriptor.name, descriptor.kind, restored);
      this.restoredKinds.delete(descriptor.name);
    }
    const owner = {
      get currentKey() {
        return backend.currentKey;
      },
      get currentKeyGroup() {
        return backend.currentKeyGroup;
      },
      range: this.range,
      beforeCacheGrows: () => {
        if (++this.cached > this.cacheEntries) this.flush();
      },
    };
    const backend = this;
    const store = new LmdbStateStore<any>(descriptor, owner, this.db);
    const state = createHeapState(descriptor, store, this.clock);
    this.states.set(descriptor.name, { store, state });
    return state as S;
  }

  /** Writes every cached change to LMDB in one write transaction and empties the caches. */
  flush(): void {
    this.cached = 0;
    let dirty = false;
    for (const { store } of this.states.values()) if (store.cacheSize > 0) dirty = true;
    if (!dirty) return;
    this.db.transactionSync(() => {
      for (const { store } of this.states.values()) store.writeDirty();
    });
  }

  restore(stateKinds: Record<string, StateKind>, groups: Iterable<[number, KeyGroupStates]>): void {
    for (const [name, kind] of Object.entries(stateKinds))
      if (!this.states.has(name) && !this.restoredKinds.has(name)) this.restoredKinds.set(name, kind);
    this.flush();
    this.db.transactionSync(() => {
      for (const [kg, states] of groups) {
        if (kg < this.range.start || kg > this.range.end) continue;
        for (const [name, entries] of Object.entries(states))
          for (const [key, value] of entries) this.db.put([name, kg, key], value);
      }
    });
  }

  /** The synchronous part of a checkpoint: writes the cache (at most `cacheEntries`) and opens a read transaction. */
  snapshot(): KeyedStateSnapshot {
    if (this.disposed) throw new SnapshotCancelledError("the LMDB state backend was disposed");
    this.flush();
    const snapshot = new LmdbKeyedStateSnapshot(
      this.range,
      this.stateKinds(),
      this.stateNames(),
      this.db,
      this.db.useReadTransaction(),
      (s) => {
        this.snapshots.delete(s);
        if (this.disposed && this.snapshots.size === 0) this.close();
      },
    );
    this.snapshots.add(snapshot);
    return snapshot;
  }

  snapshotGroups(): Map<number, KeyGroupStates> {
    return readSnapshotGroups(this.snapshot());
  }

  private stateNames(): string[] {
    return [...this.restoredKinds.keys(), ...this.states.keys()];
  }

  stateKinds(): Record<string, StateKind> {
    const kinds: Record<string, StateKind> = {};
    for (const [name, kind] of this.restoredKinds) kinds[name] = kind;
    for (const [name, e] of this.states) kinds[name] = e.store.descriptor.kind;
    return kinds;
  }

  registeredStates(): string[] {
    return [...this.states.keys()];
  }

  stateKeys(name: string): Key[] {
    this.flush();
    return this.states.get(name)?.store.keys() ?? [];
  }

  stateSize(name: string): number {
    this.flush();
    return this.states.get(name)?.store.count() ?? 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.snapshots.size === 0) this.close();
  }

  private close(): void {
    try {
      this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** State at a barrier, read from an LMDB read transaction: [state, keyGroup, key] ranges. */
class LmdbKeyedStateSnapshot implements KeyedStateSnapshot {
  private released: string | undefined;

  constructor(
    readonly range: KeyGroupRange,
    readonly stateKinds: Readonly<Record<string, StateKind>>,
    readonly stateNames: readonly string[],
    private readonly db: LmdbDatabase,
    private readonly transaction: LmdbReadTransaction,
    private readonly onRelease: (snapshot: LmdbKeyedStateSnapshot) => void,
  ) {}

  openGroup(name: string, kg: number): KeyGroupEntries | undefined {
    this.check();
    const start = [name, kg];
    const end = [name, kg + 1];
    const size = this.db.getKeysCount({ start, end, transaction: this.transaction });
    if (size === 0) return undefined;
    let after: unknown;
    let read = 0;
    return {
      size,
      read: (max: number): [Key, unknown][] => {
        this.check();
        const chunk: [Key, unknown][] = [];
        const range = this.db.getRange({
          start: after ?? start,
          exclusiveStart: after !== undefined,
          end,
          limit: Math.max(1, Math.min(max, size - read)),
          transaction: this.transaction,
        });
        for (const { key, value } of range) {
          chunk.push([(key as LmdbKey)[2], value]);
          after = key;
        }
        read += chunk.length;
        return chunk;
      },
    };
  }

  release(reason = "the snapshot was released"): void {
    if (this.released !== undefined) return;
    this.released = reason;
    try {
      this.transaction.done();
    } finally {
      this.onRelease(this);
    }
  }

  private check(): void {
    if (this.released !== undefined) throw new SnapshotCancelledError(this.released);
  }
}
