/**
 * Where checkpoints live. A store writes task blobs first, then the metadata that makes the
 * checkpoint complete; it lists complete checkpoints newest first and reads them back with their
 * checksums verified. The filesystem store is the embedded default; a NATS object store can
 * implement the same interface.
 */
import { EddyError } from "../errors.ts";
import type { CheckpointMetadata, StateHandle } from "./snapshot.ts";

export interface CheckpointStore {
  /** Writes one task's blob of checkpoint `id`, whole or in parts (written one after the other). */
  writeState(id: number, name: string, bytes: Buffer | readonly Buffer[]): Promise<StateHandle>;
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

/**
 * A checkpoint's file could not be written (the disk is full, a permission, an I/O error): the
 * checkpoint cannot complete and is discarded; the complete checkpoints before it are untouched.
 * Retriable: a later checkpoint, or a restart, may succeed once the cause is gone.
 */
export class CheckpointWriteError extends EddyError {
  readonly path: string;
  readonly checkpointId: number;
  constructor(checkpointId: number, path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason =
      code === "ENOSPC" || code === "EDQUOT"
        ? `the disk is full (${(cause as Error).message})`
        : ((cause as Error)?.message ?? String(cause));
    super("EDDY_CHECKPOINT_WRITE", `checkpoint ${checkpointId}: cannot write ${path}: ${reason}`, {
      cause,
      retriable: true,
    });
    this.path = path;
    this.checkpointId = checkpointId;
  }
}
