/**
 * What a checkpoint holds. Each task (one subtask of a chain) writes one blob with the state of
 * its operators: keyed state and timers by key group (so a restore at another parallelism picks
 * the key groups it now owns), the source reader's split positions, and the sink's pre-committed
 * work. The checkpoint's metadata lists the blobs with their sizes and checksums; it is written
 * last and atomically, so a checkpoint without metadata never happened.
 */

import { deserialize, serialize } from "node:v8";
import { crc32 } from "node:zlib";
import type { Key } from "../api/functions.ts";
import type { StateKind } from "../api/state.ts";
import type { SourceSplit } from "../connectors/api/source.ts";
import { EddyError } from "../errors.ts";
import type { KeyedStateSnapshot } from "../state/keyed-state-backend.ts";

export type TimerDomainCode = 0 | 1; // 0 event time, 1 processing time

/** One timer: [service index within the operator, domain, key, namespace, time]. */
export type TimerEntry = [
  service: number,
  domain: TimerDomainCode,
  key: Key,
  namespace: number | string,
  time: number,
];

export interface KeyGroupSnapshot {
  /** state name -> entries of this key group */
  readonly states: Record<string, [Key, unknown][]>;
  readonly timers: TimerEntry[];
}

export interface OperatorSnapshot {
  readonly uid: string;
  readonly kind: string;
  /** Keyed state: descriptor kinds by name, and the non-empty key groups. */
  readonly keyed?: {
    readonly stateKinds: Record<string, StateKind>;
    readonly groups: Record<number, KeyGroupSnapshot>;
  };
  /** Positions of the splits this source subtask was reading. */
  readonly splits?: SourceSplit[];
  /** Work a sink pre-committed at this checkpoint, committed when it completes. */
  readonly committables?: unknown[];
}

export interface TaskSnapshot {
  readonly checkpointId: number;
  readonly vertex: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly operators: OperatorSnapshot[];
}

/**
 * What the synchronous part of a checkpoint takes of an operator: everything but the entries of
 * its keyed state, which are read afterwards from `keyed.state` (the state as it was at the
 * barrier) and merged into `keyed.groups` as the snapshot is encoded.
 */
export interface PendingOperatorSnapshot {
  readonly uid: string;
  readonly kind: string;
  readonly keyed?: {
    readonly stateKinds: Record<string, StateKind>;
    /** What is known at once, by key group: timers, or state carried over from a restore. */
    readonly groups: Record<number, KeyGroupSnapshot>;
    readonly state?: KeyedStateSnapshot;
  };
  readonly splits?: SourceSplit[];
}

export interface PendingTaskSnapshot {
  readonly checkpointId: number;
  readonly vertex: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly operators: PendingOperatorSnapshot[];
}

export interface StateHandle {
  readonly file: string;
  readonly size: number;
  readonly crc32: number;
}

export interface TaskStateHandle extends StateHandle {
  readonly vertex: number;
  readonly subtask: number;
  readonly operators: string[];
}

export interface CheckpointMetadata {
  readonly format: 1;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly maxParallelism: number;
  readonly tasks: TaskStateHandle[];
  /** Splits the enumerators had not assigned yet, by source uid. */
  readonly pendingSplits: Record<string, SourceSplit[]>;
  /** Sink pre-commits of this checkpoint, by sink uid: committed after the metadata is written. */
  readonly committables: Record<string, unknown[]>;
  /** The job had finished its input: restoring it only re-commits and ends. */
  readonly finished: boolean;
  /** Checkpoint statistics. */
  readonly stats: CheckpointStats;
  /** The job's configuration and sources (job-fingerprint.ts); a resume compares it with the job's. */
  readonly fingerprint?: Readonly<Record<string, string>>;
}

/** What a task reports when its part of a checkpoint is written. */
export interface TaskAcknowledgement {
  readonly checkpointId: number;
  readonly vertex: number;
  readonly subtask: number;
  readonly handle: TaskStateHandle;
  /** Sink pre-commits by sink uid. */
  readonly committables: Record<string, unknown[]>;
  readonly syncMs: number;
  readonly asyncMs: number;
  readonly alignmentMs: number;
}

export interface CheckpointStats {
  readonly durationMs: number;
  readonly syncMs: number;
  readonly asyncMs: number;
  readonly alignmentMs: number;
  readonly bytes: number;
}

const MAGIC = 0x45444459; // "EDDY"

/**
 * Encodes a task snapshot as [magic u32][crc32 u32][length u32][v8-serialised body], at once.
 * A checkpoint writes the same bytes in pieces (snapshot-encoder.ts).
 */
export function encodeSnapshot(snapshot: TaskSnapshot): Buffer {
  const body = serialize(snapshot);
  return Buffer.concat([snapshotHeader(crc32(body), body.length), body]);
}

/** The header in front of a snapshot's body of `length` bytes with checksum `crc`. */
export function snapshotHeader(crc: number, length: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt32BE(crc, 4);
  header.writeUInt32BE(length, 8);
  return header;
}

export class CorruptCheckpointError extends EddyError {
  constructor(what: string, reason: string) {
    super("EDDY_CHECKPOINT_CORRUPT", `${what} is corrupt: ${reason}`);
  }
}

export function decodeSnapshot(bytes: Buffer, what: string): TaskSnapshot {
  if (bytes.length < 12 || bytes.readUInt32BE(0) !== MAGIC)
    throw new CorruptCheckpointError(what, "bad header");
  const length = bytes.readUInt32BE(8);
  const body = bytes.subarray(12);
  if (body.length !== length)
    throw new CorruptCheckpointError(what, `truncated (${body.length} of ${length} bytes)`);
  if (crc32(body) !== bytes.readUInt32BE(4)) throw new CorruptCheckpointError(what, "checksum mismatch");
  return deserialize(body) as TaskSnapshot;
}

/** CRC-32 of `bytes`, or of what came before (whose CRC is `previous`) followed by `bytes`. */
export function checksum(bytes: Buffer | string, previous = 0): number {
  return crc32(bytes, previous);
}
