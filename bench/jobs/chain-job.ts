/**
 * The chain benchmark: generated records through map -> filter -> keyBy -> rolling reduce, the
 * lead's first measure of the per-record cost of a chain plus one keyed exchange. The output is
 * the reduce's latest value per key (an upsert table; rolling sums in between depend on how the
 * subtasks interleave), digested as (key, sum). Used in-process (parallelism 1) and as a job
 * module on worker threads; `chainHandWritten` is the same work fused into one loop.
 */
import { Job, type JobContext } from "@eddy/core";
import { UpsertDigestSink } from "../nexmark/digest-sink.ts";
import type { RowDigest } from "../nexmark/row-digest.ts";

export interface Reading {
  id: number;
  key: number;
  value: number;
}

const digestReading = (r: Reading, d: RowDigest) => d.begin().num(r.key).num(r.value).end();

export function buildChainJob(records: number): Job {
  const job = Job.create({ name: "chain-bench" });
  job
    .fromGenerator<Reading>({
      count: records,
      seed: 1,
      generate: (i) => ({ id: i, key: i % 1000, value: i & 0xff }),
    })
    .map((r) => ({ id: r.id, key: r.key, value: r.value * 2 }))
    .filter((r) => r.value % 3 !== 0)
    .keyBy((r) => r.key)
    .reduce((a, b) => ({ id: b.id, key: a.key, value: a.value + b.value }))
    .uid("sum")
    .sinkTo(new UpsertDigestSink<Reading>((r) => r.key, digestReading))
    .uid("digest");
  return job;
}

/** The same generator and operator logic, fused by hand into one loop. */
export function chainHandWritten(records: number, digest: RowDigest): void {
  const sums = new Map<number, Reading>();
  for (let i = 0; i < records; i++) {
    const r = { id: i, key: i % 1000, value: i & 0xff };
    const m = { id: r.id, key: r.key, value: r.value * 2 };
    if (m.value % 3 === 0) continue;
    const prev = sums.get(m.key);
    sums.set(m.key, prev === undefined ? m : { id: m.id, key: prev.key, value: prev.value + m.value });
  }
  for (const r of sums.values()) digestReading(r, digest);
}

export default ({ config }: JobContext) => buildChainJob(Number(config.records ?? 1_000_000));
