// Backpressure: a fast source feeding a deliberately slow sink must not grow memory. The
// channels stay within their capacity and the records in flight between the source and the
// sink stay bounded by the channel capacity, while a million records pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Job, runJob, type Sink } from "../../src/index.ts";

class SlowSink implements Sink<number> {
  readonly guarantee = "none" as const;
  written = 0;
  createWriter() {
    return {
      write: () => {
        this.written++;
      },
      // Every flush (one per input batch) waits for a timer: the sink is far slower than the source.
      flush: () => new Promise<void>((resolve) => setTimeout(resolve, 1)),
      close: () => {},
    };
  }
}

test("a slow sink backpressures a fast source: channels within capacity, in-flight records bounded", async () => {
  const records = 1_000_000;
  const batchSize = 1024;
  const channelCapacity = 4;
  const job = Job.create({ name: "backpressure", batchSize, channelCapacity });
  const sink = new SlowSink();
  job
    .fromGenerator({ count: records, seed: 1, generate: (i) => i })
    .keyBy((n) => n % 97)
    .map((n) => n + 1)
    .sinkTo(sink);
  let maxInFlight = 0;
  let samples = 0;
  const result = await runJob(job, {
    progressIntervalMs: 5,
    onProgress: (progress) => {
      const produced = progress.operators[0].recordsOut;
      const consumed = progress.operators[progress.operators.length - 1].recordsIn;
      maxInFlight = Math.max(maxInFlight, produced - consumed);
      samples++;
    },
  });
  assert.equal(sink.written, records);
  assert.ok(samples > 10, `expected progress samples during the run, got ${samples}`);
  assert.ok(result.channels.length > 0);
  for (const channel of result.channels)
    assert.ok(
      channel.peakQueuedBatches <= channel.capacity,
      `channel ${channel.id} held ${channel.peakQueuedBatches} batches, capacity ${channel.capacity}`,
    );
  assert.equal(
    Math.max(...result.channels.map((c) => c.peakQueuedBatches)),
    channelCapacity,
    "the channel filled up",
  );
  // capacity batches queued + one partial and one overflow batch at the writer + one being processed
  const bound = (channelCapacity + 3) * batchSize;
  assert.ok(maxInFlight <= bound, `in flight ${maxInFlight} > bound ${bound}`);
});
