// The chain benchmark's job: generated records through map -> filter -> keyBy -> reduce into a
// sink that only counts. Used in-process (parallelism 1) and as a module on worker threads.
import { Job, type JobContext, type Sink } from "../../packages/core/src/index.ts";

export interface Reading {
  id: number;
  key: number;
  value: number;
}

/** Counts what reaches it; the count is per thread (read it in-process). */
export class CountingSink implements Sink<unknown> {
  readonly guarantee = "none" as const;
  count = 0;
  createWriter() {
    return {
      write: () => {
        this.count++;
      },
      flush: () => {},
      close: () => {},
    };
  }
}

export function buildChainJob(records: number, sink: Sink<unknown>): Job {
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
    .sinkTo(sink);
  return job;
}

export default ({ config }: JobContext) =>
  buildChainJob(Number(config.records ?? 1_000_000), new CountingSink());
