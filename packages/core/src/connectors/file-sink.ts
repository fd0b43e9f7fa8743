/**
 * A sink that appends one JSON line per record to a file (NDJSON). Delivery guarantee:
 * at-least-once. Records are buffered in memory and appended at each flush; on a checkpoint
 * barrier (prepareCommit) the writer flushes and syncs the file, so what came before the barrier
 * is on disk when the checkpoint completes, but records after it may be written again after a
 * restore. The exactly-once rolling file sink (pending files committed on checkpoint completion)
 * is a separate sink, to come with checkpoints.
 *
 * With parallelism > 1 each subtask writes its own file: `out.ndjson` becomes `out-0.ndjson`,
 * `out-1.ndjson`, ... unless `path` is a function of the subtask.
 */
import type { FileHandle } from "node:fs/promises";
import { mkdir, open } from "node:fs/promises";
import { dirname, extname } from "node:path";
import type { Sink, SinkContext, SinkWriter } from "./api/index.ts";

export interface NdjsonFileSinkOptions {
  /**
   * "append" (default) keeps what the file holds, which at-least-once needs across restarts;
   * "overwrite" empties it when the writer first writes, for jobs that always start afresh.
   */
  readonly mode?: "append" | "overwrite";
}

export type SubtaskPath = (subtask: number, parallelism: number) => string;

export class NdjsonFileSink<T> implements Sink<T> {
  readonly guarantee = "at-least-once";

  constructor(
    private readonly path: string | SubtaskPath,
    private readonly options: NdjsonFileSinkOptions = {},
  ) {}

  createWriter(context: SinkContext): SinkWriter<T> {
    const path =
      typeof this.path === "function"
        ? this.path(context.subtaskIndex, context.parallelism)
        : subtaskFilePath(this.path, context.subtaskIndex, context.parallelism);
    return new NdjsonFileWriter<T>(path, this.options.mode ?? "append");
  }
}

/** `dir/out.ndjson` → `dir/out-2.ndjson` for subtask 2 of several; unchanged when alone. */
export function subtaskFilePath(path: string, subtask: number, parallelism: number): string {
  if (parallelism <= 1) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${subtask}${extension}`;
}

class NdjsonFileWriter<T> implements SinkWriter<T> {
  private lines: string[] = [];
  private handle: FileHandle | undefined;
  /** Appends run one after another; a failed one fails every later flush too. */
  private appending: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly mode: "append" | "overwrite",
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
      // O_APPEND: every write lands at the end, whatever else appended meanwhile.
      this.handle = await open(this.path, "a");
      if (this.mode === "overwrite") await this.handle.truncate(0);
    }
    if (text !== "") await this.handle.writeFile(text, "utf8");
  }
}
