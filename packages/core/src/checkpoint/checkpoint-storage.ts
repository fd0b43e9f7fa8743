/**
 * Where checkpoints live. A store writes task blobs first, then the metadata that makes the
 * checkpoint complete; it lists complete checkpoints newest first and reads them back with their
 * checksums verified. The filesystem store is the embedded default; a NATS object store can
 * implement the same interface.
 */
import type { CheckpointMetadata, StateHandle } from "./snapshot.ts";

export interface CheckpointStore {
  /** Writes one task's blob of checkpoint `id`. */
  writeState(id: number, name: string, bytes: Buffer): Promise<StateHandle>;
  /** Makes checkpoint `id` complete (atomically). */
  completeCheckpoint(metadata: CheckpointMetadata): Promise<void>;
  /** Ids of checkpoints that have metadata, newest first. */
  listCheckpoints(): Promise<number[]>;
  /** Reads and verifies a checkpoint's metadata. Throws CorruptCheckpointError. */
  readMetadata(id: number): Promise<CheckpointMetadata>;
  /** Reads and verifies a blob. Throws CorruptCheckpointError. */
  readState(id: number, handle: StateHandle): Promise<Buffer>;
  /** Removes checkpoints beyond the newest `retain` complete ones, and incomplete ones older than them. */
  prune(retain: number): Promise<void>;
  /** Removes a checkpoint that will never complete. */
  discard(id: number): Promise<void>;
  /** Moves a corrupt checkpoint out of the way (it is no longer listed); returns where it went. */
  quarantine(id: number): Promise<string>;
  readonly location: string;
}
