/**
 * @eddy/state-lmdb: keyed state on disk in LMDB, for state larger than the heap. Importing this
 * package registers the "lmdb" backend, so `Job.create({ stateBackend: "lmdb" })` finds it (the
 * eddy command imports it); `lmdbStateBackend` is the same factory as an object, for
 * `Job.create({ stateBackend: lmdbStateBackend })`. The native `lmdb` module is loaded when the
 * first backend opens, not on import.
 */
import { registerStateBackend, type StateBackendFactory } from "@eddy/core/state-backend";
import { LmdbKeyedStateBackend, lmdbStateDir, removeStaleStateDirs } from "./lmdb-keyed-state-backend.ts";

export { LmdbKeyedStateBackend, type LmdbStateOptions } from "./lmdb-keyed-state-backend.ts";

export const lmdbStateBackend: StateBackendFactory = {
  name: "lmdb",
  // Worker threads import this module before the job module, so they have "lmdb" registered too.
  moduleUrl: import.meta.url,
  createKeyedStateBackend: (c) =>
    new LmdbKeyedStateBackend(c.maxParallelism, c.range, c.clock, c.operatorName, {
      dir: lmdbStateDir(c.stateDir, c.jobName, c.operatorUid, c.subtaskIndex),
    }),
  prepareRun: async (stateDir, jobName) => {
    await removeStaleStateDirs(stateDir, jobName);
  },
};

registerStateBackend(lmdbStateBackend);
