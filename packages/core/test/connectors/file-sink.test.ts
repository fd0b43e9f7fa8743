import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { SinkContext } from "../../src/connectors/api/index.ts";
import { NdjsonFileSink, subtaskFilePath } from "../../src/connectors/file-sink.ts";
import { Job, runJob } from "../../src/index.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "eddy-file-sink-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(subtaskIndex = 0, parallelism = 1): SinkContext {
  return { subtaskIndex, parallelism, operatorUid: "sink", jobName: "test" };
}

async function lines(path: string): Promise<unknown[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

describe("NdjsonFileSink", () => {
  it("writes one JSON line per record at flush, creating parent directories", async () => {
    const path = join(dir, "a", "b", "out.ndjson");
    const sink = new NdjsonFileSink<object>(path);
    assert.equal(sink.guarantee, "at-least-once");
    const writer = sink.createWriter(context());
    writer.write({ n: 1, s: "é\n" }, 0);
    writer.write({ n: 2 }, 0);
    await writer.flush(false);
    assert.deepEqual(await lines(path), [{ n: 1, s: "é\n" }, { n: 2 }]);
    writer.write({ n: 3 }, 0);
    await writer.flush(true);
    await writer.close();
    assert.equal(await readFile(path, "utf8"), '{"n":1,"s":"é\\n"}\n{"n":2}\n{"n":3}\n');
  });

  it("writes what is still buffered on close", async () => {
    const path = join(dir, "close.ndjson");
    const writer = new NdjsonFileSink<number>(path).createWriter(context());
    for (let i = 0; i < 1000; i++) writer.write(i, 0);
    await writer.close();
    assert.deepEqual(
      await lines(path),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it("keeps flushes in order when they overlap", async () => {
    const path = join(dir, "overlap.ndjson");
    const writer = new NdjsonFileSink<number>(path).createWriter(context());
    const flushes = [];
    for (let i = 0; i < 20; i++) {
      writer.write(i, 0);
      flushes.push(writer.flush(false));
    }
    await Promise.all(flushes);
    await writer.close();
    assert.deepEqual(
      await lines(path),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it("gives each parallel subtask its own file", async () => {
    assert.equal(subtaskFilePath("out/data.ndjson", 2, 3), "out/data-2.ndjson");
    assert.equal(subtaskFilePath("out.d/data", 0, 2), "out.d/data-0");
    assert.equal(subtaskFilePath("out/data.ndjson", 0, 1), "out/data.ndjson");
    const sink = new NdjsonFileSink<string>(join(dir, "par.ndjson"));
    const writers = [0, 1].map((i) => sink.createWriter(context(i, 2)));
    writers[0].write("zero", 0);
    writers[1].write("one", 0);
    await Promise.all(writers.map((w) => w.close()));
    assert.deepEqual(await lines(join(dir, "par-0.ndjson")), ["zero"]);
    assert.deepEqual(await lines(join(dir, "par-1.ndjson")), ["one"]);

    const named = new NdjsonFileSink<string>((subtask) => join(dir, `named-${subtask}.json`));
    const writer = named.createWriter(context(4, 5));
    writer.write("four", 0);
    await writer.close();
    assert.deepEqual(await lines(join(dir, "named-4.json")), ["four"]);
  });

  it("appends to an existing file by default and overwrites it when asked", async () => {
    const path = join(dir, "existing.ndjson");
    await writeFile(path, '"old"\n');
    const appending = new NdjsonFileSink<string>(path).createWriter(context());
    appending.write("new", 0);
    await appending.close();
    assert.deepEqual(await lines(path), ["old", "new"]);

    const overwriting = new NdjsonFileSink<string>(path, { mode: "overwrite" }).createWriter(context());
    overwriting.write("only", 0);
    await overwriting.flush(false);
    overwriting.write("more", 0);
    await overwriting.close();
    assert.deepEqual(await lines(path), ["only", "more"]);
  });

  it("creates the file even when nothing was written, and syncs on prepareCommit", async () => {
    const empty = join(dir, "empty", "none.ndjson");
    await new NdjsonFileSink(empty).createWriter(context()).close();
    assert.equal(await readFile(empty, "utf8"), "");

    const path = join(dir, "commit.ndjson");
    const writer = new NdjsonFileSink<number>(path).createWriter(context());
    writer.write(1, 0);
    assert.deepEqual(await writer.prepareCommit?.(1), []);
    assert.deepEqual(await lines(path), [1]);
    await writer.close();
  });

  it("refuses records JSON cannot write", () => {
    const writer = new NdjsonFileSink<unknown>(join(dir, "never.ndjson")).createWriter(context());
    assert.throws(() => writer.write(undefined, 0), TypeError);
  });

  it("in overwrite mode, a run at another parallelism removes the files an earlier run of the sink wrote", async () => {
    const out = join(dir, "rescaled");
    await mkdir(out);
    const path = join(out, "results.ndjson");
    const run = async (parallelism: number, mode: "overwrite" | "append" = "overwrite") => {
      const job = Job.create({ name: "rescaled", parallelism });
      job.fromElements(1, 2, 3, 4, 5, 6).rebalance().sinkTo(new NdjsonFileSink<number>(path, { mode }));
      await runJob(job);
      const files = (await readdir(out)).sort();
      let all: unknown[] = [];
      for (const f of files)
        if (/^results(-\d+)?\.ndjson$/.test(f)) all = all.concat(await lines(join(out, f)));
      return { files, all: all.sort() };
    };
    // Other files in the directory, and names that only look alike, are left alone.
    await writeFile(join(out, "results-old.ndjson"), "1\n");
    await writeFile(join(out, "other.ndjson"), "1\n");
    const keep = ["other.ndjson", "results-old.ndjson"];
    assert.deepEqual(await run(1), { files: [...keep, "results.ndjson"].sort(), all: [1, 2, 3, 4, 5, 6] });
    const two = await run(2);
    assert.deepEqual(two.files, [...keep, "results-0.ndjson", "results-1.ndjson"].sort());
    assert.deepEqual(two.all, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      (await run(3)).files,
      [...keep, "results-0.ndjson", "results-1.ndjson", "results-2.ndjson"].sort(),
    );
    assert.deepEqual((await run(2)).files, [...keep, "results-0.ndjson", "results-1.ndjson"].sort());
    assert.deepEqual((await run(1)).files, [...keep, "results.ndjson"].sort());
    // Append mode keeps what is there: a restart must not lose lines.
    assert.deepEqual(
      (await run(2, "append")).files,
      [...keep, "results-0.ndjson", "results-1.ndjson", "results.ndjson"].sort(),
    );
  });
});
