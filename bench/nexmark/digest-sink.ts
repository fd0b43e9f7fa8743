/**
 * Benchmark sinks: they digest what reaches them (see row-digest.ts) instead of keeping it, and
 * hand one DigestState per subtask to a collect sink when they close, so the job result holds the
 * parts to combine, from one thread or many. Built from public pieces only (Sink, CollectSink), as
 * a user would build a custom sink.
 */
import { CollectSink, type Key, type Sink, type SinkContext, type SinkWriter } from "@eddy/core";
import { combineDigests, type DigestState, RowDigest } from "./row-digest.ts";

export type DigestRow<T> = (row: T, digest: RowDigest) => void;

/** Digests every row it receives. */
export class DigestSink<T> implements Sink<T> {
  readonly guarantee = "none" as const;
  constructor(private readonly digestRow: DigestRow<T>) {}

  createWriter(context: SinkContext): SinkWriter<T> {
    const parts = new CollectSink<DigestState>().createWriter(context);
    const digest = new RowDigest();
    const digestRow = this.digestRow;
    return {
      write: (row: T) => digestRow(row, digest),
      flush: () => {},
      close: () => {
        parts.write(digest.state(), 0);
        return parts.close();
      },
    };
  }
}

/**
 * An upsert sink: a row replaces the previous row of its key, and the digest covers the rows
 * present at the end (the materialised table of an updating query such as q4). A key must always
 * reach the same subtask (the sink follows a keyed operator on the same key).
 */
export class UpsertDigestSink<T> implements Sink<T> {
  readonly guarantee = "none" as const;
  constructor(
    private readonly keyOf: (row: T) => Key,
    private readonly digestRow: DigestRow<T>,
  ) {}

  createWriter(context: SinkContext): SinkWriter<T> {
    const parts = new CollectSink<DigestState>().createWriter(context);
    const table = new Map<Key, T>();
    const { keyOf, digestRow } = this;
    return {
      write: (row: T) => {
        table.set(keyOf(row), row);
      },
      flush: () => {},
      close: () => {
        const digest = new RowDigest();
        for (const row of table.values()) digestRow(row, digest);
        parts.write(digest.state(), 0);
        return parts.close();
      },
    };
  }
}

/** The digest of a finished job's output, from its sink's parts. */
export function digestOf(parts: readonly DigestState[]): string {
  return combineDigests(parts);
}
