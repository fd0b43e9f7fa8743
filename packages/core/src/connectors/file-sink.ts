/**
 * A sink that appends one JSON line per record to a file (NDJSON). Delivery guarantee:
 * at-least-once. Records are buffered in memory and appended at each flush; on a checkpoint
 * barrier (prepareCommit) the writer flushes and syncs the file, so what came before the barrier
 * is on disk when the checkpoint completes, but records after it may be written again after a
 * restore. The exactly-once rolling file sink (pending files committed on checkpoint completion)
 * is a separate sink, to come with checkpoints.
 *
 * With parallelism > 1 each subtask writes its own file: `out.ndjson` becomes `out-0.ndjson`,
 * `out-1.ndjson`, ... (`out` becomes `out-0`, `out-1`), unless `path` is a function of the
 * subtask. In overwrite mode a run also removes the files of this naming that an earlier run at
 * another parallelism left (`out.ndjson` after a run at 2, `out-2.ndjson` after a run at 3), so
 * the files of one path always hold exactly the last run's output.
 */
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, rm } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import type { Sink, SinkContext, SinkWriter } from "./api/index.ts";

export interface NdjsonFileSinkOptions {
  /**
   * "append" (default) keeps what the file holds, which at-least-once needs across restarts;
   * "overwrite" empties it when the writer first writes, for jobs that always start afresh, and
   * removes the files an earlier run of the sink at another parallelism wrote (see NdjsonFileSink).
   */
  readonly mode?: "append" | "overwrite";
}

export type SubtaskPath = (subtask: number, parallelism: number) => string;

/**
 * Appends one JSON line per record to `path`. At parallelism 1 the file is `path` itself; at
 * parallelism n > 1 subtask i writes `path` with `-i` before its extension: `out.ndjson` gives
 * `out-0.ndjson` ... `out-<n-1>.ndjson`, and `out` gives `out-0` ... `out-<n-1>`. Pass a function
 * `(subtask, parallelism) => string` to name the files yourself. With `mode: "overwrite"`, the
 * first subtask also removes `path` and every `path-<k>` file (same extension) that this run does
 * not write, the leftovers of an earlier run at another parallelism; "append" removes nothing.
 */
export class NdjsonFileSink<T> implements Sink<T> {
  readonly guarantee = "at-least-once";

  constructor(
    private readonly path: string | SubtaskPath,
    private readonly options: NdjsonFileSinkOptions = {},
  ) {}

  createWriter(context: SinkContext): SinkWriter<T> {
    const mode = this.options.mode ?? "append";
    if (typeof this.path === "function")
      return new NdjsonFileWriter<T>(this.path(context.subtaskIndex, context.parallelism), mode, undefined);
    const path = subtaskFilePath(this.path, context.subtaskIndex, context.parallelism);
    const stale =
      mode === "overwrite" && context.subtaskIndex === 0
        ? { base: this.path, parallelism: context.parallelism }
        : undefined;
    return new NdjsonFileWriter<T>(path, mode, stale);
  }
}

/** `dir/out.ndjson` → `dir/out-2.ndjson` for subtask 2 of several; unchanged when alone. */
export function subtaskFilePath(path: string, subtask: number, parallelism: number): string {
  if (parallelism <= 1) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${subtask}${extension}`;
}

/**
 * Removes the files of `base`'s naming that a run at `parallelism` does not write: `base` itself
 * when parallelism > 1, and `base-<k>` for k >= parallelism (every k at parallelism 1). No file of
 * the current run has such a name, so no subtask's fresh output is touched.
 */
export async function removeStaleSubtaskFiles(base: string, parallelism: number): Promise<string[]> {
  const dir = dirname(base);
  const extension = extname(base);
  const stem = basename(base).slice(0, basename(base).length - extension.length);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    let stale = false;
    if (name === basename(base)) stale = parallelism > 1;
    else if (name.startsWith(`${stem}-`) && name.endsWith(extension)) {
      const k = name.slice(stem.length + 1, name.length - extension.length);
      stale = /^(0|[1-9]\d*)$/.test(k) && (parallelism <= 1 || Number(k) >= parallelism);
    }
    if (stale) {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

class NdjsonFileWriter<T> implements SinkWriter<T> {
  private lines: string[] = [];
  private handle: FileHandle | undefined;
  /** Appends run one after another; a failed one fails every later flush too. */
  private appending: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly mode: "append" | "overwrite",
    /** Overwrite mode, first subtask: the sink's path and parallelism, to remove stale files. */
    private readonly stale: { base: string; parallelism: number } | undefined,
  ) {}

  write(value: T, _timestamp: number): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`${typeof value} cannot be written as a JSON line`);
    this.lines.push(json);
  }

  flush(_endOfInput: boolean): Promise<void> {
    const text = this.lines.length === 0 ? "" : `${this.lines.join("\n")}\n`;
    this.lines = [];
    // Even with nothing to write, the first flush creates the file, so that readers find it.
    if (text === "" && this.handle !== undefined) return this.appending;
    this.appending = this.appending.then(() => this.append(text));
    return this.appending;
  }

  async prepareCommit(_checkpointId: number): Promise<never[]> {
    await this.flush(false);
    await this.handle?.datasync();
    return [];
  }

  async close(): Promise<void> {
    try {
      await this.flush(true);
    } finally {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    }
  }

  private async append(text: string): Promise<void> {
    if (this.handle === undefined) {
      await mkdir(dirname(this.path), { recursive: true });
      if (this.stale !== undefined) await removeStaleSubtaskFiles(this.stale.base, this.stale.parallelism);
      // O_APPEND: every write lands at the end, whatever else appended meanwhile.
      this.handle = await open(this.path, "a");
      if (this.mode === "overwrite") await this.handle.truncate(0);
    }
    if (text !== "") await this.handle.writeFile(text, "utf8");
  }
}
