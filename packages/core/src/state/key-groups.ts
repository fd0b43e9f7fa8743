/**
 * Key groups, as in Flink: the unit in which keyed state is partitioned, snapshotted and
 * redistributed. keyGroup = hash(key) mod maxParallelism; a subtask owns the contiguous range
 * of key groups [floor(i*max/p) .. floor((i+1)*max/p) - 1], so a savepoint restores at any
 * parallelism up to maxParallelism by handing whole key groups to their new owners.
 */
import type { Key } from "../api/functions.ts";

/** 32-bit murmur3 finaliser over an integer hash, so nearby keys spread over key groups. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash of a key that is the same in every thread and process (never identity based). */
export function hashKey(key: Key): number {
  if (typeof key === "number") {
    if (Number.isInteger(key) && key >= -0x80000000 && key <= 0xffffffff) return mix(key | 0);
    // other numbers: hash their string form, which is canonical for doubles
    return hashString(String(key));
  }
  return hashString(key);
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

export function assignToKeyGroup(key: Key, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

export interface KeyGroupRange {
  /** inclusive */
  readonly start: number;
  /** inclusive; end < start means the range is empty */
  readonly end: number;
}

export function keyGroupRangeForSubtask(
  maxParallelism: number,
  parallelism: number,
  subtask: number,
): KeyGroupRange {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return { start, end };
}

/** The subtask that owns a key group at the given parallelism (inverse of the range above). */
export function subtaskForKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function checkKeyType(key: unknown, operatorName: string): asserts key is Key {
  if (typeof key !== "string" && typeof key !== "number")
    throw new TypeError(
      `keyBy of '${operatorName}' returned a ${key === null ? "null" : typeof key}; keys must be a string or a ` +
        `number (combine composite keys into a string, e.g. \`\${a}|\${b}\`)`,
    );
  if (typeof key === "number" && Number.isNaN(key))
    throw new TypeError(`keyBy of '${operatorName}' returned NaN`);
}
