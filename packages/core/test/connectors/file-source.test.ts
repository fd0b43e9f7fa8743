import assert from "node:assert/strict";
import { appendFile, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { SourceReader } from "../../src/connectors/api/index.ts";
import { FileSource } from "../../src/connectors/file-source.ts";
import type { FileSplit } from "../../src/connectors/file-source-reader.ts";
import { ConfigError, EddyError } from "../../src/errors.ts";
import {
  CollectingOutput,
  drain,
  FakeEnumeratorContext,
  FakeReaderContext,
  readAll,
} from "./source-test-kit.ts";

let dir = "";
let files = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "eddy-file-source-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tempFile(content: string | Uint8Array, extension = ".txt"): Promise<string> {
  const path = join(dir, `file-${files++}${extension}`);
  await writeFile(path, content);
  return path;
}

function initialSplits(source: FileSource<unknown>): FileSplit[] {
  return source.paths.map((path) => ({ splitId: path, path, offset: 0, line: 1 }));
}

/** A reader holding the given splits and told no more come. */
function readerWith<T>(source: FileSource<T>, splits: FileSplit[]): SourceReader<T, FileSplit> {
  const reader = source.createReader(new FakeReaderContext());
  reader.addSplits(splits);
  reader.notifyNoMoreSplits();
  return reader;
}

async function readOne<T>(source: FileSource<T>): Promise<CollectingOutput<T>> {
  return (await readAll(source))[0];
}

/** What a reader put out, records and dead letters alike, in order of position. */
function emitted(output: CollectingOutput<unknown>): unknown[] {
  return [
    ...output.values,
    ...output.deadLetters.map((d) => `dead:${d.raw}@${d.position.split(":").at(-1)}`),
  ];
}

describe("FileSource.ndjson", () => {
  it("reads records, skipping blank lines, through a CRLF, a BOM and a missing final newline", async () => {
    const path = await tempFile(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n\r\n  \n{"a":"é"}\n{"a":3}')]),
    );
    const output = await readOne(FileSource.ndjson(path));
    assert.deepEqual(output.values, [{ a: 1 }, { a: "é" }, { a: 3 }]);
    assert.deepEqual(output.deadLetters, []);
    assert.deepEqual(output.created, [path]);
    assert.deepEqual(output.released, [path]);
  });

  it("sends malformed lines to the dead letters with path:line and reads on", async () => {
    const path = await tempFile('{"a":1}\nnot json\n\n{"a":2}\n{"a":\n{"a":3}\n');
    const output = await readOne(FileSource.ndjson(path));
    assert.deepEqual(output.values, [{ a: 1 }, { a: 2 }, { a: 3 }]);
    assert.deepEqual(
      output.deadLetters.map((d) => [d.raw, d.position]),
      [
        ["not json", `${path}:2`],
        ['{"a":', `${path}:5`],
      ],
    );
    assert.match(output.deadLetters[0].error, /^invalid JSON/);
    assert.equal(output.deadLetters[0].splitId, path);
  });

  it("dead-letters what parse rejects", async () => {
    const path = await tempFile('{"n":1}\n{"n":"x"}\n');
    const parse = (json: unknown): number => {
      const n = (json as { n: unknown }).n;
      if (typeof n !== "number") throw new Error("n must be a number");
      return n;
    };
    const output = await readOne(FileSource.ndjson(path, { parse }));
    assert.deepEqual(output.values, [1]);
    assert.deepEqual(
      output.deadLetters.map((d) => [d.error, d.position]),
      [["n must be a number", `${path}:2`]],
    );
  });

  it("reads any JSON values back whatever the chunk size, batch size and line endings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ value: fc.jsonValue(), crlf: fc.boolean(), blankAfter: fc.boolean() }), {
          maxLength: 20,
        }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (lines, bom, finalNewline, readChunkBytes, batchSize) => {
          let text = bom ? "\uFEFF" : "";
          lines.forEach(({ value, crlf, blankAfter }, i) => {
            text += JSON.stringify(value);
            if (i < lines.length - 1 || finalNewline) text += crlf ? "\r\n" : "\n";
            if (blankAfter && i < lines.length - 1) text += "\n";
          });
          const path = await tempFile(text);
          const output = await readOne(FileSource.ndjson(path, { readChunkBytes, batchSize }));
          assert.deepEqual(output.deadLetters, []);
          assert.deepEqual(
            output.values,
            lines.map((l) => JSON.parse(JSON.stringify(l.value))),
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it("fails with a non-retriable EddyError when a file is missing", async () => {
    const reader = readerWith(FileSource.ndjson(join(dir, "missing.ndjson")), [
      { splitId: "m", path: join(dir, "missing.ndjson"), offset: 0, line: 1 },
    ]);
    await assert.rejects(
      drain(reader, new CollectingOutput()),
      (e: unknown) => e instanceof EddyError && e.code === "EDDY_FILE_SOURCE" && !e.retriable,
    );
    await reader.close();
  });

  it("rejects invalid options", () => {
    assert.throws(() => FileSource.ndjson([]), ConfigError);
    assert.throws(() => FileSource.ndjson(["a", "a"]), ConfigError);
    assert.throws(() => FileSource.ndjson("a", { batchSize: 0 }), ConfigError);
    assert.throws(() => FileSource.ndjson("a", { readChunkBytes: 1.5 }), ConfigError);
    assert.throws(() => FileSource.csv("a", { delimiter: '"' }), ConfigError);
    assert.throws(() => FileSource.csv("a", { delimiter: "" }), ConfigError);
  });
});

describe("FileSource.csv", () => {
  it("reads quoted fields with delimiters, doubled quotes and newlines (RFC 4180)", async () => {
    const path = await tempFile(
      'id,text,note\r\n1,"a, b","say ""hi"""\r\n2,"two\r\nlines",\r\n3,plain,"multi\nline\n"\r\n4,x"y,""\r\n',
    );
    const output = await readOne(FileSource.csv(path));
    assert.deepEqual(output.values, [
      { id: "1", text: "a, b", note: 'say "hi"' },
      { id: "2", text: "two\r\nlines", note: "" },
      { id: "3", text: "plain", note: "multi\nline\n" },
      { id: "4", text: 'x"y', note: "" },
    ]);
    assert.deepEqual(output.deadLetters, []);
  });

  it("dead-letters wrong column counts and bad quoting with the line the record starts on", async () => {
    const path = await tempFile('id,text\n1,"two\nlines"\n2,bad,extra\n3,ok\n4,"a"b\n5,"open');
    const output = await readOne(FileSource.csv(path));
    assert.deepEqual(output.values, [
      { id: "1", text: "two\nlines" },
      { id: "3", text: "ok" },
    ]);
    assert.deepEqual(
      output.deadLetters.map((d) => [d.raw, d.position]),
      [
        ["2,bad,extra", `${path}:4`],
        ['4,"a"b', `${path}:6`],
        ['5,"open', `${path}:7`],
      ],
    );
    assert.equal(output.deadLetters[0].error, "expected 2 columns, found 3");
    assert.match(output.deadLetters[1].error, /after a closing quote/);
    assert.match(output.deadLetters[2].error, /not closed/);
  });

  it("takes columns from the option, numbers them without a header, and honours the delimiter", async () => {
    const withHeader = await tempFile("x;y\n1;2\n");
    assert.deepEqual(
      (await readOne(FileSource.csv(withHeader, { delimiter: ";", columns: ["a", "b"] }))).values,
      [{ a: "1", b: "2" }],
    );
    const noHeader = await tempFile("1||2\n3||4\n");
    assert.deepEqual((await readOne(FileSource.csv(noHeader, { header: false, delimiter: "||" }))).values, [
      { 0: "1", 1: "2" },
      { 0: "3", 1: "4" },
    ]);
    const parsed = await readOne(
      FileSource.csv(noHeader, {
        header: false,
        delimiter: "||",
        columns: ["left", "right"],
        parse: (row) => Number(row.left) + Number(row.right),
      }),
    );
    assert.deepEqual(parsed.values, [3, 7]);
  });

  it("reads back any rows RFC 4180 can write, whatever the chunk and batch size", async () => {
    const field = fc.string({
      unit: fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r", "é", "😀"),
      maxLength: 6,
    });
    const table = fc
      .integer({ min: 1, max: 4 })
      .chain((columns) =>
        fc.array(fc.array(field, { minLength: columns, maxLength: columns }), { maxLength: 12 }),
      );
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.boolean(),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 6 }),
        async (rows, crlf, readChunkBytes, batchSize) => {
          const width = rows[0]?.length ?? 1;
          const columns = Array.from({ length: width }, (_, i) => `c${i}`);
          const encode = (f: string) =>
            /[",\r\n]/.test(f) || (f === "" && width === 1) ? `"${f.replaceAll('"', '""')}"` : f;
          const newline = crlf ? "\r\n" : "\n";
          const text = [columns, ...rows].map((row) => row.map(encode).join(",") + newline).join("");
          const path = await tempFile(text, ".csv");
          const output = await readOne(FileSource.csv(path, { readChunkBytes, batchSize }));
          assert.deepEqual(output.deadLetters, []);
          assert.deepEqual(
            output.values,
            rows.map((row) => Object.fromEntries(row.map((v, i) => [`c${i}`, v]))),
          );
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("FileSource resume", () => {
  const formats = {
    ndjson: {
      line: (i: number) => (i % 7 === 3 ? `oops ${i}` : JSON.stringify({ i, s: "é".repeat(i % 4) })),
      header: "",
      source: (path: string, readChunkBytes: number, batchSize: number) =>
        FileSource.ndjson(path, { readChunkBytes, batchSize }) as FileSource<unknown>,
    },
    csv: {
      line: (i: number) => (i % 7 === 3 ? `${i}` : `${i},"multi\nline ""${i}"""`),
      header: "id,text\n",
      source: (path: string, readChunkBytes: number, batchSize: number) =>
        FileSource.csv(path, { readChunkBytes, batchSize }) as FileSource<unknown>,
    },
  };

  for (const [name, format] of Object.entries(formats)) {
    it(`${name}: a reader restored from a snapshot emits exactly what the first one had not`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 40 }),
          fc.integer({ min: 1, max: 64 }),
          fc.integer({ min: 1, max: 5 }),
          fc.nat({ max: 30 }),
          async (count, readChunkBytes, batchSize, polls) => {
            const text =
              format.header + Array.from({ length: count }, (_, i) => `${format.line(i)}\n`).join("");
            const path = await tempFile(text);
            const source = format.source(path, readChunkBytes, batchSize);
            const full = await readOne(source);

            const first = readerWith(source, initialSplits(source));
            const beforeSnapshot = new CollectingOutput<unknown>();
            const status = await drain(first, beforeSnapshot, { maxPolls: polls });
            const snapshot = JSON.parse(JSON.stringify(first.snapshotState(1))) as FileSplit[];
            await first.close();
            if (status === "end-of-input") assert.deepEqual(snapshot, []);

            const second = readerWith(source, snapshot);
            const afterSnapshot = new CollectingOutput<unknown>();
            assert.equal(await drain(second, afterSnapshot), "end-of-input");
            await second.close();
            assert.deepEqual(
              [...emitted(beforeSnapshot), ...emitted(afterSnapshot)].sort(),
              emitted(full).sort(),
            );
            assert.deepEqual([...beforeSnapshot.values, ...afterSnapshot.values], full.values);
            assert.equal(full.values.length, count - Math.floor((count + 3) / 7));
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe("FileSource with several files", () => {
  it("lets readers pull files one at a time until none are left", async () => {
    const paths = await Promise.all([1, 2, 3].map((n) => tempFile(`${JSON.stringify(n)}\n`)));
    const context = new FakeEnumeratorContext<FileSplit>(2);
    const enumerator = FileSource.ndjson(paths).createEnumerator(context);
    enumerator.addReader(0);
    enumerator.addReader(1);
    assert.equal(context.assignments.length, 0, "registering assigns nothing: readers pull");
    enumerator.handleSplitRequest(1);
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(1);
    enumerator.handleSplitRequest(0);
    assert.deepEqual(
      context.assignments.map((a) => [a.subtask, a.splits.map((s) => s.path)]),
      [
        [1, [paths[0]]],
        [0, [paths[1]]],
        [1, [paths[2]]],
      ],
    );
    assert.deepEqual([...context.noMoreSplits], [0]);

    const outputs = await readAll(FileSource.ndjson(paths), 2);
    assert.deepEqual(outputs.flatMap((o) => o.values).sort(), [1, 2, 3]);
  });

  it("reports progress as the share of bytes read", async () => {
    const path = await tempFile(`${"1\n".repeat(100)}`);
    const source = FileSource.ndjson(path, { batchSize: 10 });
    const reader = readerWith(source, initialSplits(source));
    const output = new CollectingOutput<unknown>();
    await drain(reader, output, { until: () => output.values.length >= 50 });
    const halfway = reader.progress?.();
    assert.ok(halfway !== undefined && halfway > 0.4 && halfway < 0.6, `progress ${halfway}`);
    await drain(reader, output);
    assert.equal(reader.progress?.(), 1);
    await reader.close();
  });
});

describe("FileSource following", () => {
  async function follow(path: string) {
    const source = FileSource.ndjson<number>(path, { follow: true, pollIntervalMs: 5 });
    assert.equal(source.boundedness, "unbounded");
    const context = new FakeEnumeratorContext<FileSplit>(1);
    source.createEnumerator(context).addReader(0);
    const reader = source.createReader(new FakeReaderContext());
    reader.addSplits(context.splitsOf(0));
    reader.notifyNoMoreSplits();
    return { reader, output: new CollectingOutput<number>() };
  }

  it("picks up appended lines and waits for a partial last line's newline", async () => {
    const path = await tempFile("1\n2\n");
    const { reader, output } = await follow(path);
    await drain(reader, output, { until: () => output.values.length >= 2 });
    await appendFile(path, "3\n4");
    await drain(reader, output, { until: () => output.values.length >= 3 });
    await appendFile(path, "0\n");
    await drain(reader, output, { until: () => output.values.length >= 4 });
    await appendFile(path, "5\n");
    await drain(reader, output, { until: () => output.values.length >= 5 });
    assert.deepEqual(output.values, [1, 2, 3, 40, 5]);
    assert.deepEqual(output.deadLetters, []);
    assert.equal(reader.pollNext(output), "nothing-available");
    assert.equal(reader.progress?.(), undefined);
    await reader.close();
  });

  it("waits for a file that does not exist yet", async () => {
    const path = join(dir, "later.ndjson");
    const { reader, output } = await follow(path);
    assert.equal(reader.pollNext(output), "nothing-available");
    await writeFile(path, "7\n");
    await drain(reader, output, { until: () => output.values.length >= 1 });
    assert.deepEqual(output.values, [7]);
    await reader.close();
  });

  it("fails when a followed file shrinks", async () => {
    const path = await tempFile("1\n2\n");
    const { reader, output } = await follow(path);
    await drain(reader, output, { until: () => output.values.length >= 2 });
    await truncate(path, 0);
    await assert.rejects(
      drain(reader, output),
      (e: unknown) => e instanceof EddyError && /shrank/.test(e.message),
    );
    await reader.close();
  });
});
