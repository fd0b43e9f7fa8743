import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import type { SinkContext } from "../../src/connectors/api/index.ts";
import { formatRecord, PrintSink, type PrintTarget } from "../../src/connectors/print-sink.ts";

function context(subtaskIndex = 0, parallelism = 1): SinkContext {
  return { subtaskIndex, parallelism, operatorUid: "print", jobName: "test" };
}

class FakeTarget extends EventEmitter implements PrintTarget {
  readonly writes: string[] = [];
  accept = true;
  write(text: string): boolean {
    this.writes.push(text);
    return this.accept;
  }
}

describe("PrintSink", () => {
  it("writes all lines of a batch at once, strings as they are and other values as JSON", async () => {
    const target = new FakeTarget();
    const writer = new PrintSink<unknown>({ target }).createWriter(context());
    writer.write("plain", 0);
    writer.write({ a: 1, b: [true, null] }, 0);
    writer.write(10n, 0);
    assert.deepEqual(target.writes, []);
    await writer.flush(false);
    assert.deepEqual(target.writes, ['plain\n{"a":1,"b":[true,null]}\n10\n']);
    await writer.flush(false);
    assert.equal(target.writes.length, 1);
    writer.write(undefined, 0);
    await writer.close();
    assert.deepEqual(target.writes.at(-1), "undefined\n");
    assert.equal(new PrintSink().guarantee, "none");
  });

  it("prefixes lines with the prefix and, in parallel, the 1-based subtask", async () => {
    const cases: [string | undefined, number, number, string][] = [
      [undefined, 0, 1, "x\n"],
      ["out", 0, 1, "out> x\n"],
      [undefined, 1, 3, "2> x\n"],
      ["out", 2, 3, "out:3> x\n"],
    ];
    for (const [prefix, subtask, parallelism, expected] of cases) {
      const target = new FakeTarget();
      const writer = new PrintSink<string>({ prefix, target }).createWriter(context(subtask, parallelism));
      writer.write("x", 0);
      await writer.flush(true);
      assert.deepEqual(target.writes, [expected]);
    }
  });

  it("waits for drain when the target pushes back", async () => {
    const target = new FakeTarget();
    target.accept = false;
    const writer = new PrintSink<number>({ target, format: (n) => `#${n}` }).createWriter(context());
    writer.write(1, 0);
    let flushed = false;
    const flushing = Promise.resolve(writer.flush(false)).then(() => {
      flushed = true;
    });
    await Promise.resolve();
    assert.equal(flushed, false);
    target.emit("drain");
    await flushing;
    assert.deepEqual(target.writes, ["#1\n"]);
  });

  it("formats what JSON cannot write with String", () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    assert.equal(formatRecord(cyclic), "[object Object]");
    assert.equal(formatRecord(Symbol.for("s")), "Symbol(s)");
    assert.equal(formatRecord(null), "null");
  });
});
