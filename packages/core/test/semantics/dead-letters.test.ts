/**
 * Bad records: with errorHandling "dead-letter", a record on which any user function throws (map,
 * filter, flatMap, a keyBy key selector, a process function, a timer, a timestamp assigner at the
 * source or in the stream, a sink) becomes a DeadLetter naming the operator, the error and the
 * record, and the job goes on; nothing is lost (good + dead = input). With "fail" the job rejects
 * with a RecordProcessingError naming the operator and the record. Dead letters nobody reads go to
 * onDeadLetter and are counted; malformed lines of a file source carry their path:line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  type DeadLetter,
  FileSource,
  type FlatMapFunction,
  FromElementsSource,
  Job,
  type JobOptions,
  RecordProcessingError,
  runJob,
  type Sink,
  WatermarkStrategy,
} from "../../src/index.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Throws for the records of one residue class: each operator fails on its own tenth of the input. */
function failOn(residue: number, what: string) {
  return (v: number) => {
    if (v % 10 === residue) throw new Error(`${what} rejects ${v}`);
  };
}

/** Which operator (uid) fails on which residue, and the pipeline that wires them up. */
const FAILING: Record<number, string> = {
  1: "map",
  2: "filter",
  3: "flat-map",
  4: "stamp", // the key selector runs where the stream is partitioned: at the operator before keyBy
  5: "keyed",
  6: "process",
  7: "stamp",
  8: "source",
  9: "sink",
};

const passThrough: FlatMapFunction<number, number> = (v, out) => {
  failOn(3, "flatMap")(v);
  out.collect(v);
};

function buildPipeline(job: Job, n: number) {
  const good: number[] = [];
  const sink: Sink<number> = {
    guarantee: "none",
    createWriter: () => ({
      write: (v) => {
        failOn(9, "sink")(v);
        good.push(v);
      },
      flush: () => {},
      close: () => {},
    }),
  };
  const atSource = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v, ts) => {
    failOn(8, "source timestamps")(v);
    return ts;
  });
  job
    .fromSource(
      new FromElementsSource<number>(
        range(n).map((v) => ({ value: v, timestamp: v })),
        { timestamped: true },
      ),
      atSource,
    )
    .uid("source")
    .setParallelism(1)
    .map((v) => {
      failOn(1, "map")(v);
      return v;
    })
    .uid("map")
    .filter((v) => {
      failOn(2, "filter")(v);
      return true;
    })
    .uid("filter")
    .flatMap(passThrough)
    .uid("flat-map")
    .process<number>({
      processElement(v, _ctx, out) {
        failOn(6, "process")(v);
        out.collect(v);
      },
    })
    .uid("process")
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v, ts) => {
        failOn(7, "stream timestamps")(v);
        return ts;
      }),
    )
    .uid("stamp")
    .keyBy((v) => {
      failOn(4, "keyBy")(v);
      return v % 3;
    })
    .process<number>({
      processElement(v, _ctx, out) {
        failOn(5, "keyed process")(v);
        out.collect(v);
      },
    })
    .uid("keyed")
    .sinkTo(sink)
    .uid("sink");
  return good;
}

for (const parallelism of [1, 4]) {
  describe(`dead letters at parallelism ${parallelism}`, () => {
    it("every failing operator sends its bad records to job.deadLetters(), and the job keeps the rest", async () => {
      const n = 500;
      const job = Job.create({ name: "dead-letters", errorHandling: "dead-letter" });
      const good = buildPipeline(job, n);
      const dead = job.deadLetters().collect("dead");
      const unconsumed: DeadLetter[] = [];
      const result = await runJob(job, { parallelism, onDeadLetter: (l) => unconsumed.push(l) });
      const letters = result.collected(dead);
      assert.equal(unconsumed.length, 0);
      assert.equal(result.deadLetters, 0);
      assert.equal(good.length + letters.length, n, "good + dead = input");
      assert.deepEqual(
        good.sort((a, b) => a - b),
        range(n).filter((v) => v % 10 === 0),
      );
      for (const letter of letters) {
        const v = letter.record as number;
        assert.equal(typeof v, "number");
        assert.equal(letter.operatorUid, FAILING[v % 10], `record ${v}`);
        assert.match(letter.error, new RegExp(`rejects ${v}$`));
        assert.equal(typeof letter.operatorName, "string");
      }
      assert.deepEqual(
        letters.map((l) => l.record as number).sort((a, b) => a - b),
        range(n).filter((v) => v % 10 !== 0),
      );
      // Metrics count the failures of each operator.
      for (const uid of new Set(Object.values(FAILING))) {
        const expected = letters.filter((l) => l.operatorUid === uid).length;
        assert.equal(result.operators.find((o) => o.uid === uid)!.recordsFailed, expected, uid);
      }
    });

    it("dead letters nobody reads go to onDeadLetter and are counted in the result", async () => {
      const job = Job.create({ name: "unconsumed", errorHandling: "dead-letter" });
      const out = job
        .fromElements(...range(100))
        .map((v) => {
          if (v % 4 === 0) throw new Error("no multiples of four");
          return v;
        })
        .uid("picky")
        .collect();
      const letters: DeadLetter[] = [];
      const result = await runJob(job, { parallelism, onDeadLetter: (l) => letters.push(l) });
      assert.equal(result.collected(out).length, 75);
      assert.equal(result.deadLetters, 25);
      assert.equal(letters.length, 25);
      assert.ok(letters.every((l) => l.operatorUid === "picky" && l.error === "no multiples of four"));
    });
  });
}

describe("dead letters", () => {
  it("a failing onTimer becomes a dead letter naming the timer and its key", async () => {
    const job = Job.create({ name: "timer-failure", errorHandling: "dead-letter" });
    job
      .fromTimestampedElements([
        { value: "a", timestamp: 1 },
        { value: "b", timestamp: 2 },
      ])
      .keyBy((v) => v)
      .process<string>({
        processElement(_v, ctx) {
          ctx.timerService().registerEventTimeTimer(50);
        },
        onTimer(_t, ctx) {
          if (ctx.currentKey() === "b") throw new Error("timer broke");
        },
      })
      .uid("timers")
      .collect();
    const letters: DeadLetter[] = [];
    await runJob(job, { onDeadLetter: (l) => letters.push(l) });
    assert.deepEqual(letters, [
      {
        operatorUid: "timers",
        operatorName: "keyed-process",
        error: "timer broke",
        record: { timer: 50, key: "b" },
        timestamp: 50,
      },
    ]);
  });

  it("malformed lines of an NDJSON file go to the dead letters with path:line, and the rest is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-dl-"));
    try {
      const path = join(dir, "events.ndjson");
      writeFileSync(path, ['{"n":1}', "{not json", '{"n":2}', "", '{"n":3', '{"n":4}'].join("\n"));
      const job = Job.create({ name: "bad-lines", errorHandling: "dead-letter" });
      const good = job
        .fromSource(FileSource.ndjson<{ n: number }>(path))
        .uid("file")
        .map((e) => e.n)
        .collect();
      const dead = job.deadLetters().collect();
      const result = await runJob(job);
      assert.deepEqual(result.collected(good), [1, 2, 4]);
      const letters = result.collected(dead);
      assert.deepEqual(
        letters.map((l) => [l.operatorUid, l.position, l.record]),
        [
          ["file", `${path}:2`, "{not json"],
          ["file", `${path}:5`, '{"n":3'],
        ],
      );
      assert.ok(letters.every((l) => l.error.startsWith("invalid JSON")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errorHandling "fail"', () => {
  const cases: { what: string; uid: string; build: (job: Job) => void }[] = [
    {
      what: "map",
      uid: "doubler",
      build: (job) =>
        job
          .fromElements({ id: 1 }, { id: 2 }, { id: 3 })
          .map((r) => {
            if (r.id === 2) throw new Error("two is bad");
            return r.id * 2;
          })
          .uid("doubler")
          .name("double it")
          .collect(),
    },
    {
      what: "key selector",
      uid: "elements",
      build: (job) => {
        const src = job.fromElements({ id: 1 }, { id: 2 }, { id: 3 });
        src.uid("elements");
        src
          .keyBy((r) => {
            if (r.id === 2) throw new Error("two is bad");
            return r.id;
          })
          .reduce((a) => a)
          .collect();
      },
    },
    {
      what: "keyed process function",
      uid: "kp",
      build: (job) =>
        job
          .fromElements({ id: 1 }, { id: 2 }, { id: 3 })
          .keyBy((r) => r.id)
          .process<number>({
            processElement(r, _ctx, out) {
              if (r.id === 2) throw new Error("two is bad");
              out.collect(r.id);
            },
          })
          .uid("kp")
          .collect(),
    },
  ];
  for (const c of cases) {
    for (const parallelism of [1, 4]) {
      it(`a throwing ${c.what} fails the job with a RecordProcessingError naming the operator and the record (parallelism ${parallelism})`, async () => {
        const options: JobOptions = { name: "fails" };
        const job = Job.create(options);
        c.build(job);
        await assert.rejects(runJob(job, { parallelism }), (error: unknown) => {
          assert.ok(error instanceof RecordProcessingError, String(error));
          assert.equal(error.code, "EDDY_RECORD_FAILED");
          assert.equal(error.operatorUid, c.uid);
          assert.deepEqual(error.record, { id: 2 });
          assert.match(error.message, new RegExp(`uid '${c.uid}'`));
          assert.match(error.message, /\{"id":2\}/);
          assert.match(error.message, /two is bad/);
          assert.match(error.message, /errorHandling: "dead-letter"/);
          assert.equal((error.cause as Error).message, "two is bad");
          return true;
        });
      });
    }
  }
});
