/**
 * Jobs that cannot run are rejected before anything runs, with a message that says what to
 * change: duplicate uids, keyed operators without keyBy, cycles, no sink, forward() between
 * different parallelisms, onTimer on a non-keyed process function, bad job options (a ConfigError
 * naming the key), and keyed state asked for in open() of a non-keyed function (at open, before
 * any record).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigError,
  Job,
  JobDefinitionError,
  type JobOptions,
  KeyedStream,
  planJob,
  runJob,
  StateDescriptors,
} from "../../src/index.ts";

/** A job whose user functions count their calls, to prove nothing ran. */
function countingJob(name = "bad") {
  const calls = { source: 0, map: 0 };
  const job = Job.create({ name });
  const stream = job.fromElements(1, 2, 3).map((v) => {
    calls.map++;
    return v;
  });
  return { job, stream, calls };
}

async function rejectsBeforeRunning(job: Job, calls: { map: number }, message: RegExp) {
  assert.throws(
    () => planJob(job),
    (e: unknown) => e instanceof JobDefinitionError && message.test(e.message),
  );
  await assert.rejects(
    runJob(job),
    (e: unknown) => e instanceof JobDefinitionError && message.test(e.message),
  );
  assert.equal(calls.map, 0, "no record was processed");
}

describe("definition-time errors", () => {
  it("two operators with the same uid", async () => {
    const { job, stream, calls } = countingJob();
    stream.uid("dup");
    stream
      .map((v) => v)
      .uid("dup")
      .collect();
    await rejectsBeforeRunning(
      job,
      calls,
      /uid 'dup' is used by 'map' and by 'map': each operator needs its own uid/,
    );
  });

  it("a keyed operator whose input is not keyed (built through the internals)", async () => {
    const { job, stream, calls } = countingJob();
    const keyed = stream.keyBy((v) => v);
    // Re-partitioning after keyBy loses the keying; the typed API cannot express this, the internals can.
    const unkeyed = new KeyedStream<number, number>(job, keyed.rebalance().refs, keyed.keySelector);
    unkeyed.reduce((a, b) => a + b).collect();
    await rejectsBeforeRunning(
      job,
      calls,
      /uses keyed state or timers but its input is not keyed: call keyBy\(\) right before it/,
    );
  });

  it("a keyed operator without a key selector", async () => {
    const { job, stream, calls } = countingJob();
    job.addNode({ kind: "keyed-process", fn: { processElement() {} } }, "keyless", stream.refs).collect();
    await rejectsBeforeRunning(job, calls, /'keyless'.*input is not keyed: call keyBy\(\)/);
  });

  it("a cycle", async () => {
    const { job, stream, calls } = countingJob();
    const a = stream.map((v) => v).name("a");
    const b = a.map((v) => v).name("b");
    b.collect();
    // Feed b back into a: the typed API cannot build this.
    a.node!.inputs.push({ from: b.node!.id, partitioning: "auto", inputIndex: 0 });
    await rejectsBeforeRunning(
      job,
      calls,
      /the job has a cycle: 'a' -> 'b' -> 'a'|the job has a cycle: 'b' -> 'a' -> 'b'/,
    );
  });

  it("a job without a sink", async () => {
    const { job, calls } = countingJob();
    await rejectsBeforeRunning(
      job,
      calls,
      /has no sink.*end a stream with sinkTo\(\), print\(\) or collect\(\)/,
    );
  });

  it("an empty job", async () => {
    await assert.rejects(
      runJob(Job.create({ name: "empty" })),
      /job 'empty' is empty: add a source and a sink/,
    );
  });

  it("forward() between operators of different parallelism names both and the fix", async () => {
    const { job, stream, calls } = countingJob();
    stream.setParallelism(2).name("wide");
    stream
      .forward()
      .map((v) => v)
      .name("narrow")
      .setParallelism(3)
      .collect();
    await rejectsBeforeRunning(
      job,
      calls,
      /forward\(\) from 'wide' \(parallelism 2\) to 'narrow' \(parallelism 3\) needs equal parallelism: use rebalance\(\)/,
    );
  });

  it("onTimer on a non-keyed process function", async () => {
    const { job, stream, calls } = countingJob();
    stream
      .process({
        processElement() {},
        onTimer() {},
      } as never)
      .name("timed")
      .collect();
    await rejectsBeforeRunning(
      job,
      calls,
      /'timed'.*has onTimer, but timers need a keyed stream: call keyBy\(\) before process\(\)/,
    );
  });

  it("keyed state in open() of a non-keyed function fails at open, before any record", async () => {
    const { job, stream, calls } = countingJob();
    let processed = 0;
    stream
      .process<number>({
        open(ctx) {
          (ctx as any).getState(StateDescriptors.value<number>("nope"));
        },
        processElement() {
          processed++;
        },
      })
      .name("stateful")
      .collect();
    await assert.rejects(runJob(job), (e: unknown) => {
      assert.ok(e instanceof JobDefinitionError, String(e));
      assert.match(
        e.message,
        /operator 'stateful' asks for keyed state, but its input is not keyed: call keyBy\(\) before it/,
      );
      return true;
    });
    assert.equal(processed, 0);
    assert.equal(calls.map, 0);
  });

  it("a stream of another job as input", () => {
    const other = Job.create({ name: "other" }).fromElements(1);
    const { stream } = countingJob();
    assert.throws(() => stream.union(other), /union of streams from different jobs/);
    assert.throws(() => stream.connect(other), /connect of streams from different jobs/);
  });

  it("uid/name/setParallelism on a stream that is not one operator", () => {
    const { stream } = countingJob();
    assert.throws(() => stream.keyBy((v) => v).uid("x"), /uid\(\) applies to an operator/);
    assert.throws(() => stream.union(stream).setParallelism(2), /setParallelism\(\) applies to an operator/);
    assert.throws(() => stream.setParallelism(0), /parallelism must be a positive integer/);
  });

  it("runJob's parallelism override must fit", async () => {
    const { job, stream } = countingJob();
    stream.collect();
    await assert.rejects(runJob(job, { parallelism: 0 }), /parallelism must be a positive integer/);
    await assert.rejects(
      runJob(job, { parallelism: 129 }),
      /exceeds maxParallelism 128: raise maxParallelism/,
    );
  });
});

describe("job options", () => {
  const bad: [Partial<JobOptions>, string, RegExp][] = [
    [{ name: "" }, "name", /non-empty name/],
    [{ parallelism: 0 }, "parallelism", /positive integer, not 0/],
    [{ parallelism: 1.5 }, "parallelism", /positive integer/],
    [{ parallelism: 200 }, "parallelism", /at most maxParallelism \(128\)/],
    [{ maxParallelism: 40000 }, "maxParallelism", /at most 32768/],
    [{ batchSize: -1 }, "batchSize", /positive integer/],
    [{ channelCapacity: 0 }, "channelCapacity", /positive integer/],
    [{ errorHandling: "ignore" as never }, "errorHandling", /"fail" or "dead-letter"/],
    [{ autoWatermarkIntervalMs: -5 }, "autoWatermarkIntervalMs", />= 0/],
    [{ batchTimeoutMs: Number.NaN }, "batchTimeoutMs", />= 0/],
    [{ stateBackend: 42 as never }, "stateBackend", /"heap" or "lmdb"/],
    [{ stateBackend: { name: "no-factory" } as never }, "stateBackend", /backend factory object/],
    [{ stateDir: "" }, "stateDir", /non-empty directory path/],
  ];
  for (const [options, key, message] of bad) {
    it(`rejects ${JSON.stringify(options)} with a ConfigError naming '${key}'`, () => {
      assert.throws(
        () => Job.create({ name: "j", ...options }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.key, key);
          assert.equal(e.code, "EDDY_CONFIG");
          assert.match(e.message, new RegExp(`^configuration '${key}': `));
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  it('reading deadLetters() of a job whose errorHandling is "fail" says how to fix it', () => {
    assert.throws(() => Job.create({ name: "j" }).deadLetters(), /set errorHandling: "dead-letter"/);
  });
});
