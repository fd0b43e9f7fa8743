/**
 * Makes golden savepoints: for each example job, a savepoint taken at a fixed point of its input,
 * written with the code checked out now, plus the output printed before the savepoint and the
 * output of an uninterrupted run. test/golden/golden-savepoints.test.ts restores every committed
 * fixture with the current code and checks that what the restored job prints, added to what was
 * printed before the savepoint, is the uninterrupted output. Read test/golden/README.md first:
 * a fixture is never regenerated to make that test pass; a new one goes beside the old ones.
 *
 *   node --import tsx scripts/make-golden-savepoints.ts --name <fixture name> [example ...]
 *   node --import tsx scripts/make-golden-savepoints.ts --name cep-state-v2 login-attacks
 *
 * Writes test/golden/savepoints/<example>/<name>/: `savepoint/` (the savepoint directory),
 * `before.txt` (lines printed before the savepoint), `expected.txt` (lines of the uninterrupted
 * run) and `fixture.json` (the example, its configuration, where the input was cut). It refuses
 * to write over an existing fixture.
 *
 * Where the savepoint is taken does not depend on timing. The run is in this thread at
 * parallelism 1 with a manual clock, and the example's own source reader (GeneratorSource or
 * FromElementsSource: the only two the examples use) is wrapped, in this script only, so that it
 * stops reading after the poll that reaches `cutAfter` records and then has nothing available (it
 * is not finished). The manual clock advances one second after every poll before that, so
 * periodic watermarks follow each poll; after the cut nothing moves: no record, no watermark, no
 * timer. The savepoint's barrier then follows everything, nothing is printed after it, and the
 * printed lines are exactly the output the savepoint has already produced. The script runs that
 * first part twice and checks that both savepoints hold the same state, then restores the
 * savepoint once (no wrapper, real clock) and checks the sum of the outputs before writing.
 */
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { serialize } from "node:v8";
import {
  FromElementsSource,
  GeneratorSource,
  type InputStatus,
  JobControl,
  loadJobModule,
  ManualClock,
  type ReaderOutput,
  readSavepoint,
  runJob,
  type SourceOutput,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
} from "@eddy/core";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURES = join(ROOT, "test", "golden", "savepoints");

interface GoldenExample {
  /** The job module, relative to the repository root. */
  readonly module: string;
  /** Small: a fixture stays well under 1 MB. */
  readonly config: Record<string, unknown>;
  /** The savepoint is taken after the source poll that reaches this many records. */
  readonly cutAfter: number;
  /** Checks the savepoint holds what makes it worth keeping (throws if not). */
  readonly check?: (savepoint: string) => Promise<string>;
}

/**
 * The examples with golden savepoints. api-tour has none: its file source records the absolute
 * path of examples/data/orders.ndjson in its split, so its savepoint would not restore in
 * another checkout, and its connect of two sources is not deterministic.
 */
const EXAMPLES: Record<string, GoldenExample> = {
  "sensor-averages": {
    module: "examples/sensor-averages.ts",
    config: { readings: 3000 },
    cutAfter: 1000,
  },
  "fraud-detection": {
    module: "examples/fraud-detection.ts",
    config: { transactions: 3000 },
    cutAfter: 1500,
  },
  "word-count": {
    // Three lines, read in one poll: the cut falls after all of them, before the end of input.
    module: "examples/word-count.ts",
    config: {},
    cutAfter: 1,
  },
  "login-attacks": {
    module: "examples/login-attacks.ts",
    config: { logins: 3000 },
    cutAfter: 1500,
    check: async (savepoint) => {
      const open = await openCepState(savepoint, "takeover-pattern");
      if (open.partials === 0 || open.buffered === 0)
        throw new Error(
          `the login-attacks savepoint must hold open partial matches and buffered events, not ${JSON.stringify(open)}`,
        );
      return `${open.keys} keys with ${open.partials} open partial matches, ${open.buffered} buffered events`;
    },
  },
};

// ---- the cut: a reader that stops after `cutAfter` records ------------------------------------------

interface Cut {
  after: number;
  clock: ManualClock;
  /** Records the wrapped readers emitted. */
  records: number;
  reached: Promise<void>;
  reach: () => void;
}

let activeCut: Cut | undefined;

/** Wraps the readers of the example's source classes while `activeCut` is set (in this script only). */
function wrapSourceReaders(): void {
  for (const source of [GeneratorSource.prototype, FromElementsSource.prototype] as Array<{
    createReader(context: SourceReaderContext): SourceReader<unknown, SourceSplit>;
  }>) {
    const original = source.createReader;
    source.createReader = function (this: unknown, context: SourceReaderContext) {
      const reader = original.call(this, context);
      return activeCut === undefined ? reader : new CutReader(reader, activeCut);
    };
  }
}

class CutReader<T, S extends SourceSplit> implements SourceReader<T, S> {
  private cut = false;
  private release: (() => void) | undefined;
  private readonly outputs = new Map<string, SourceOutput<T>>();

  constructor(
    private readonly inner: SourceReader<T, S>,
    private readonly state: Cut,
  ) {}

  start(): void | Promise<void> {
    return this.inner.start();
  }
  addSplits(splits: readonly S[]): void {
    this.inner.addSplits(splits);
  }
  notifyNoMoreSplits(): void {
    this.inner.notifyNoMoreSplits();
  }
  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.cut) return "nothing-available";
    const status = this.inner.pollNext(this.counting(output));
    if (this.state.records >= this.state.after) {
      this.cut = true;
      this.state.reach();
      return status === "end-of-input" ? "nothing-available" : status;
    }
    // Periodic watermarks follow this poll (the executor reads the clock before its next step).
    this.state.clock.advance(1000);
    return status;
  }
  isAvailable(): Promise<void> {
    if (!this.cut) return this.inner.isAvailable();
    return new Promise((resolve) => (this.release = resolve));
  }
  snapshotState(checkpointId: number): S[] {
    return this.inner.snapshotState(checkpointId);
  }
  close(): void | Promise<void> {
    this.release?.();
    return this.inner.close();
  }

  /** The reader's output, counting records (split outputs are cached, as readers cache them). */
  private counting(output: ReaderOutput<T>): ReaderOutput<T> {
    const state = this.state;
    const count = (target: SourceOutput<T>): SourceOutput<T> => ({
      collect(value: T, timestamp?: number) {
        state.records++;
        target.collect(value, timestamp);
      },
      deadLetter: (raw, error, position) => target.deadLetter(raw, error, position),
    });
    return {
      collect(value: T, timestamp?: number) {
        state.records++;
        output.collect(value, timestamp);
      },
      deadLetter: (raw, error, position) => output.deadLetter(raw, error, position),
      createOutputForSplit: (splitId) => {
        let split = this.outputs.get(splitId);
        if (split === undefined)
          this.outputs.set(splitId, (split = count(output.createOutputForSplit(splitId))));
        return split;
      },
      releaseOutputForSplit: (splitId) => {
        this.outputs.delete(splitId);
        output.releaseOutputForSplit(splitId);
      },
    };
  }
}

// ---- runs -----------------------------------------------------------------------------------------

/** Runs `action`, returning the lines it printed to stdout (where print sinks write) and its result. */
async function capturePrinted<R>(action: () => Promise<R>): Promise<{ lines: string[]; result: R }> {
  let text = "";
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await action();
    return { lines: text.split("\n").filter((l) => l.length > 0), result };
  } finally {
    process.stdout.write = write;
  }
}

async function uninterrupted(example: GoldenExample): Promise<string[]> {
  const job = await loadJobModule(join(ROOT, example.module), { config: example.config });
  return (await capturePrinted(() => runJob(job, { parallelism: 1 }))).lines;
}

/** Runs the example up to the cut, stops it with a savepoint; returns the savepoint and what was printed. */
async function untilCut(
  example: GoldenExample,
  dir: string,
): Promise<{ savepoint: string; lines: string[]; records: number }> {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const clock = new ManualClock(0);
  const cut: Cut = { after: example.cutAfter, clock, records: 0, reached, reach };
  activeCut = cut;
  try {
    const job = await loadJobModule(join(ROOT, example.module), { config: example.config });
    const control = new JobControl();
    const { lines, result } = await capturePrinted(async () => {
      const running = runJob(job, {
        parallelism: 1,
        clock,
        control,
        // No periodic checkpoint: the savepoint is the only one (setTimeout's longest delay).
        checkpointing: { dir: join(dir, "checkpoints"), intervalMs: 2 ** 31 - 1 },
      });
      await Promise.race([reached, running]);
      const savepoint = await control.stopWithSavepoint(join(dir, "savepoints"));
      const result = await running;
      if (!result.stopped) throw new Error("the job ended before the cut: raise its input size");
      return savepoint;
    });
    return { savepoint: result, lines, records: cut.records };
  } finally {
    activeCut = undefined;
  }
}

async function restored(example: GoldenExample, savepoint: string, dir: string): Promise<string[]> {
  const job = await loadJobModule(join(ROOT, example.module), { config: example.config });
  const { lines, result } = await capturePrinted(() =>
    runJob(job, {
      parallelism: 1,
      checkpointing: { dir: join(dir, "restored-checkpoints"), fromSavepoint: savepoint },
    }),
  );
  if (result.restoredFrom === undefined) throw new Error("the job did not resume from the savepoint");
  return lines;
}

/**
 * A savepoint's state, task by task, as comparable bytes (shared objects, as the NFA's
 * buffer nodes, serialized once). Format 1 of the CEP state holds a random number per operator
 * instance (`countedBy`, for its gauges): it is left out of the comparison.
 */
async function stateBytes(savepoint: string): Promise<Buffer> {
  // (tasks in the order of their acknowledgements: sorted)
  const tasks = [...(await readSavepoint(savepoint)).tasks].sort(
    (a, b) => a.vertex - b.vertex || a.subtask - b.subtask,
  );
  return serialize(withoutRandomIds(tasks, new Map()));
}

function withoutRandomIds(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return value;
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (value instanceof Map) {
    const copy = new Map();
    copies.set(value, copy);
    for (const [k, v] of value) copy.set(k, withoutRandomIds(v, copies));
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const v of value) copy.push(withoutRandomIds(v, copies));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const [k, v] of Object.entries(value)) if (k !== "countedBy") copy[k] = withoutRandomIds(v, copies);
  return copy;
}

/** What the CEP operator `uid` holds in a savepoint (the value states cep.nfa and cep.buffer, format 1 or 2). */
async function openCepState(
  savepoint: string,
  uid: string,
): Promise<{ keys: number; partials: number; buffered: number }> {
  const checkpoint = await readSavepoint(savepoint);
  let keys = 0;
  let partials = 0;
  let buffered = 0;
  for (const task of checkpoint.tasks)
    for (const op of task.operators) {
      if (op.uid !== uid || op.keyed === undefined) continue;
      for (const group of Object.values(op.keyed.groups)) {
        for (const [, state] of group.states["cep.nfa"] ?? []) {
          keys++;
          const list = (state as { partials: Array<{ startId: number }> }).partials;
          partials += list.filter((cs) => cs.startId !== -1).length;
        }
        for (const [, buffer] of group.states["cep.buffer"] ?? [])
          buffered += (buffer as { events: unknown[] }).events.length;
      }
    }
  return { keys, partials, buffered };
}

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function currentCommit(): Promise<string> {
  const { execFileSync } = await import("node:child_process");
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function makeFixture(name: string, exampleName: string, example: GoldenExample): Promise<void> {
  const target = join(FIXTURES, exampleName, name);
  if (await exists(target))
    throw new Error(
      `${relative(ROOT, target)} exists: fixtures are never regenerated (test/golden/README.md)`,
    );
  const work = await mkdtemp(join(tmpdir(), `eddy-golden-${exampleName}-`));
  try {
    const expected = await uninterrupted(example);
    const first = await untilCut(example, join(work, "first"));
    const second = await untilCut(example, join(work, "second"));
    if (
      first.records !== second.records ||
      !(await stateBytes(first.savepoint)).equals(await stateBytes(second.savepoint))
    ) {
      throw new Error("two runs up to the cut made different savepoints: the cut depends on timing");
    }
    if (JSON.stringify(first.lines) !== JSON.stringify(second.lines))
      throw new Error("two runs up to the cut printed different lines: the cut depends on timing");
    const after = await restored(example, first.savepoint, join(work, "first"));
    if (JSON.stringify(sorted([...first.lines, ...after])) !== JSON.stringify(sorted(expected)))
      throw new Error(
        `before the savepoint (${first.lines.length} lines) and after restoring it (${after.length}) is not the uninterrupted output (${expected.length})`,
      );
    const checked = example.check === undefined ? "" : await example.check(first.savepoint);

    await mkdir(target, { recursive: true });
    await cp(first.savepoint, join(target, "savepoint"), { recursive: true });
    await writeFile(join(target, "before.txt"), lines(first.lines));
    await writeFile(join(target, "expected.txt"), lines(expected));
    const fixture = {
      example: example.module,
      config: example.config,
      parallelism: 1,
      sourceRecordsBeforeSavepoint: first.records,
      linesBeforeSavepoint: first.lines.length,
      linesExpected: expected.length,
      generatedFromCommit: await currentCommit(),
      ...(checked === "" ? {} : { contents: checked }),
    };
    await writeFile(join(target, "fixture.json"), `${JSON.stringify(fixture, null, 2)}\n`);
    const size = await sizeOf(target);
    if (size > 512 * 1024)
      throw new Error(`${relative(ROOT, target)} is ${size} bytes: make its input smaller`);
    console.error(
      `${relative(ROOT, target)}: cut after ${first.records} records, ${first.lines.length} + ${after.length} = ${expected.length} lines, ${size} bytes${checked === "" ? "" : `; ${checked}`}`,
    );
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function lines(list: readonly string[]): string {
  return list.length === 0 ? "" : `${list.join("\n")}\n`;
}

const { values, positionals } = parseArgs({
  options: { name: { type: "string" } },
  allowPositionals: true,
});
if (values.name === undefined || !/^[\w.-]+$/.test(values.name)) {
  console.error(
    "usage: node --import tsx scripts/make-golden-savepoints.ts --name <fixture name> [example ...]",
  );
  console.error(`examples: ${Object.keys(EXAMPLES).join(", ")}`);
  process.exit(2);
}
const chosen = positionals.length === 0 ? Object.keys(EXAMPLES) : positionals;
for (const name of chosen) if (EXAMPLES[name] === undefined) throw new Error(`no golden example '${name}'`);
wrapSourceReaders();
for (const exampleName of chosen) await makeFixture(values.name, exampleName, EXAMPLES[exampleName]);
