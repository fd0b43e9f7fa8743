/**
 * The cost of a checkpoint of large keyed state, through the public API as a user's job pays it:
 * a job writes one value per key for `keys` keys (heap or LMDB backend), then takes a savepoint
 * and stops; the savepoint's statistics give the checkpoint's duration, its synchronous part
 * (the task's snapshot, taken while the task holds its input) and its asynchronous part (writing
 * the file while records could flow again), and its size. The same job then starts from the
 * savepoint and reads a sample of the keys back: the time from the start of that run to its first
 * record is the restore time, next to the same job's start-up without state. Every sampled value
 * is checked, so a restore that loses state fails the benchmark.
 *
 * The job's source (`KeyRangeSource`) emits 0 .. keys - 1 (writes), then holds: it neither emits
 * nor ends, so the job is idle and still running when the savepoint is taken. Restored past that
 * position it goes on with the reads (keys .. keys + samples - 1) and ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Boundedness,
  type Collector,
  CollectSink,
  type InputStatus,
  Job,
  JobControl,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  ReaderAvailability,
  type ReaderOutput,
  runJob,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
  StateDescriptors,
  StaticSplitEnumerator,
  type ValueState,
} from "@eddy/core";
// Registers the "lmdb" backend this bench measures next to the heap.
import "@eddy/state-lmdb";

export type StateBackendName = "heap" | "lmdb";

export interface KeyedStateCheckpointResult {
  readonly backend: StateBackendName;
  readonly keys: number;
  /** Wall time to write the keys' values (start-up included). */
  readonly loadMs: number;
  /** The savepoint (a checkpoint copied out) as the coordinator measured it. */
  readonly checkpoint: {
    readonly durationMs: number;
    readonly syncMs: number;
    readonly asyncMs: number;
    readonly bytes: number;
  };
  /** From the start of the restoring run to its first record: reading the savepoint and loading it. */
  readonly restoreMs: number;
  /** The same, for a start without state: what of restoreMs is not restoring. */
  readonly startMs: number;
  /** Keys read back after the restore, every one with its value. */
  readonly verifiedKeys: number;
}

const READS_UID = "reads";
/** Value written for key i; the reads check it. */
const expectedValue = (i: number) => i * 3;
const keyOf = (i: number) => `key-${i}`;

interface Read {
  readonly key: number;
  readonly value: number | undefined;
}

/** What the job tells the measuring code, in this thread (the job runs in-process). */
interface Probe {
  onLoaded(): void;
  onFirstRead(): void;
}

/** Writes its key's value (records 0 .. keys - 1), or reads it back (records from `keys` on). */
class KeyValues implements KeyedProcessFunction<string, number, Read> {
  private value!: ValueState<number>;
  private firstRead = true;

  constructor(
    private readonly keys: number,
    private readonly samples: number,
    private readonly probe: Probe,
  ) {}

  open(context: KeyedRuntimeContext): void {
    this.value = context.getState(StateDescriptors.value<number>("v"));
  }

  processElement(n: number, _context: KeyedProcessContext<string>, out: Collector<Read>): void {
    if (n < this.keys) {
      this.value.update(expectedValue(n));
      if (n === this.keys - 1) this.probe.onLoaded();
      return;
    }
    if (this.firstRead) {
      this.firstRead = false;
      this.probe.onFirstRead();
    }
    out.collect({ key: sampleKey(n, this.keys, this.samples), value: this.value.value() });
  }
}

/** Record keys + r (r < samples) reads key floor(r * keys / samples): spread over the whole range. */
function sampleKey(n: number, keys: number, samples: number): number {
  return Math.floor(((n - keys) * keys) / samples);
}

function buildJob(options: {
  keys: number;
  samples: number;
  backend: StateBackendName;
  stateDir: string;
  /** First record the source emits (a fresh start at the reads skips the writes). */
  from: number;
  probe: Probe;
}): Job {
  const { keys, samples } = options;
  const job = Job.create({
    name: "keyed-state-checkpoint",
    stateBackend: options.backend,
    stateDir: options.stateDir,
  });
  job
    .fromSource(new KeyRangeSource(keys + samples, keys, options.from), undefined, "keys")
    .uid("keys")
    .keyBy((n) => keyOf(n < keys ? n : sampleKey(n, keys, samples)))
    .process(new KeyValues(keys, samples, options.probe))
    .uid("values")
    .sinkTo(new CollectSink<Read>())
    .uid(READS_UID);
  return job;
}

export async function measureKeyedStateCheckpoint(options: {
  keys: number;
  backend: StateBackendName;
  /** Keys read back after the restore (default 1,000, at most `keys`). */
  samples?: number;
}): Promise<KeyedStateCheckpointResult> {
  const { keys, backend } = options;
  if (!(Number.isSafeInteger(keys) && keys > 0))
    throw new RangeError(`keys must be a positive integer, got ${keys}`);
  const samples = Math.min(options.samples ?? 1000, keys);
  const dir = mkdtempSync(join(tmpdir(), "eddy-bench-checkpoint-"));
  const checkpointing = (name: string) => ({
    dir: join(dir, name),
    intervalMs: 3_600_000,
    restore: "none" as const,
  });
  try {
    // 1. Load the keys, then a savepoint, then stop.
    const control = new JobControl();
    let loaded = false;
    let t0 = performance.now();
    let loadMs = 0;
    const probe: Probe = {
      onLoaded() {
        loadMs = performance.now() - t0;
        loaded = true;
        control.stopWithSavepoint(join(dir, "savepoint")).then(
          (path) => (savepoint = path),
          (error: unknown) => (savepointError = error),
        );
      },
      onFirstRead: () => {
        throw new Error("the first run must not read: its source holds after the writes");
      },
    };
    let savepoint: string | undefined;
    let savepointError: unknown;
    const stateDir = join(dir, "state");
    const first = await runJob(buildJob({ keys, samples, backend, stateDir, from: 0, probe }), {
      checkpointing: checkpointing("checkpoints-1"),
      control,
    });
    if (savepointError !== undefined) throw savepointError;
    if (!loaded || savepoint === undefined) throw new Error("the job ended before its savepoint");
    const stats = first.checkpoints.at(-1)?.stats;
    if (stats === undefined) throw new Error("the savepoint's checkpoint has no statistics");

    // 2. Start from the savepoint and read the samples back; then the same start without state.
    const timeToFirstRead = async (restore: boolean) => {
      let firstReadAt: number | undefined;
      const readProbe: Probe = {
        onLoaded: () => {
          throw new Error("the restored run must not write: its source resumes after the writes");
        },
        onFirstRead: () => {
          firstReadAt = performance.now();
        },
      };
      t0 = performance.now();
      const result = await runJob(
        buildJob({ keys, samples, backend, stateDir, from: restore ? 0 : keys, probe: readProbe }),
        {
          checkpointing: restore
            ? { ...checkpointing("checkpoints-2"), fromSavepoint: savepoint }
            : checkpointing("checkpoints-3"),
        },
      );
      if (firstReadAt === undefined) throw new Error("the reads never arrived");
      return { ms: firstReadAt - t0, reads: result.collected<Read>(READS_UID) };
    };
    const restored = await timeToFirstRead(true);
    if (restored.reads.length !== samples)
      throw new Error(`expected ${samples} reads after the restore, got ${restored.reads.length}`);
    for (const read of restored.reads)
      if (read.value !== expectedValue(read.key))
        throw new Error(`key ${read.key} restored as ${read.value}, expected ${expectedValue(read.key)}`);
    const fresh = await timeToFirstRead(false);
    if (fresh.reads.some((read) => read.value !== undefined))
      throw new Error("a start without state found values: the reads do not measure the restore");

    return {
      backend,
      keys,
      loadMs,
      checkpoint: {
        durationMs: stats.durationMs,
        syncMs: stats.syncMs,
        asyncMs: stats.asyncMs,
        bytes: stats.bytes,
      },
      restoreMs: restored.ms,
      startMs: fresh.ms,
      verifiedKeys: restored.reads.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface KeyRangeSplit extends SourceSplit {
  readonly next: number;
}

/**
 * Emits the numbers `from` .. `end` - 1 in order, but holds at `holdAt` (emits nothing, does not
 * end) when it starts below it; a reader restored at or past `holdAt` goes on to the end.
 */
class KeyRangeSource implements Source<number, KeyRangeSplit> {
  readonly boundedness: Boundedness = "bounded";

  constructor(
    private readonly end: number,
    private readonly holdAt: number,
    private readonly from: number,
  ) {}

  createEnumerator(
    context: SplitEnumeratorContext<KeyRangeSplit>,
    restored?: readonly KeyRangeSplit[],
  ): SplitEnumerator<KeyRangeSplit> {
    return new StaticSplitEnumerator(context, restored ?? [{ splitId: "keys", next: this.from }]);
  }

  createReader(context: SourceReaderContext): SourceReader<number, KeyRangeSplit> {
    return new KeyRangeReader(context, this.end, this.holdAt);
  }
}

const BATCH = 1024;
/**
 * A holding reader wakes its task this often. eddy's source task does not take a checkpoint
 * trigger while it waits for its reader's availability (packages/core/src/runtime/task.ts,
 * `step`: `waiting` is checked before `pendingTrigger`), so a reader that is simply idle would
 * never let a checkpoint start; polling like a broker client does lets it start within 1 ms.
 */
const HOLD_POLL_MS = 1;

class KeyRangeReader implements SourceReader<number, KeyRangeSplit> {
  private split: { next: number; stop: number } | undefined;
  private noMoreSplits = false;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly availability: ReaderAvailability;

  constructor(
    context: SourceReaderContext,
    private readonly end: number,
    private readonly holdAt: number,
  ) {
    this.availability = new ReaderAvailability(context);
  }

  start(): void {}

  addSplits(splits: readonly KeyRangeSplit[]): void {
    for (const s of splits)
      this.split = { next: s.next, stop: s.next < this.holdAt ? this.holdAt : this.end };
    this.availability.signal();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.signal();
  }

  pollNext(output: ReaderOutput<number>): InputStatus {
    this.availability.reset();
    const s = this.split;
    if (s === undefined) return this.noMoreSplits ? "end-of-input" : "nothing-available";
    const out = output.createOutputForSplit("keys");
    const stop = Math.min(s.stop, s.next + BATCH);
    for (; s.next < stop; s.next++) out.collect(s.next);
    if (s.next < s.stop) return "more-available";
    if (s.stop === this.holdAt) {
      // Holding: nothing more until the job is stopped (and restored past the hold). A source task
      // waiting for its reader does not start a checkpoint it was asked for (see HOLD_POLL_MS).
      this.holdTimer ??= setTimeout(() => {
        this.holdTimer = undefined;
        this.availability.signal();
      }, HOLD_POLL_MS);
      return "nothing-available";
    }
    this.split = undefined;
    output.releaseOutputForSplit("keys");
    return this.noMoreSplits ? "end-of-input" : "nothing-available";
  }

  isAvailable(): Promise<void> {
    return this.availability.whenAvailable();
  }

  snapshotState(): KeyRangeSplit[] {
    return this.split === undefined ? [] : [{ splitId: "keys", next: this.split.next }];
  }

  close(): void {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.availability.close();
  }
}
