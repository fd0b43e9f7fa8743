/**
 * @eddy/core/state-backend: what a keyed-state backend package (`@eddy/state-lmdb`) builds on. The
 * factory interface and registry, the KeyedStateBackend contract with its snapshot and restore
 * shapes, the heap's state kinds (a backend over another store reuses them through a StateStore),
 * key groups, and the errors every backend raises alike. Jobs never need this entry.
 */
export type { Key } from "./api/functions.ts";
export type { StateDescriptor, StateKind } from "./api/state.ts";
export { HeapKeyedStateBackend } from "./state/heap-keyed-state-backend.ts";
export { createHeapState, type HeapState } from "./state/heap-states.ts";
export { assignToKeyGroup, type KeyGroupRange, keyGroupRangeForSubtask } from "./state/key-groups.ts";
export {
  checkKeyGroup,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyGroupEntries,
  type KeyGroupStates,
  readSnapshotGroups,
  restoredKindError,
  SnapshotCancelledError,
  type StateStore,
  stateKindError,
} from "./state/keyed-state-backend.ts";
export {
  heapStateBackend,
  type KeyedStateBackendContext,
  registerStateBackend,
  resolveStateBackend,
  type StateBackendFactory,
} from "./state/state-backend-factory.ts";
export type { Clock } from "./time/time.ts";
