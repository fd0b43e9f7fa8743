/**
 * An exactly-once NDJSON file sink on two-phase commit. Each subtask writes into an in-progress
 * file under `<dir>/.in-progress/`; on a checkpoint barrier it flushes, syncs and closes that file
 * (pre-commit) and hands it over as a committable; when the checkpoint completes the committer
 * renames it to `<dir>/part-<subtask>-<checkpoint>.ndjson`. A rename that already happened is
 * skipped, so committing again after a restore is harmless. In-progress files of a crashed run
 * were never committed and are deleted when the subtask starts again. A job that resumes from
 * checkpoint n (or starts from the beginning: n = 0) first removes the part files committed after
 * n by earlier runs, since it writes that output again. Without checkpointing, a bounded job commits its output when
 * its input ends (as `part-<subtask>-final.ndjson`).
 * Readers see only committed `part-*` files: each record exactly once.
 */
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  FINAL_CHECKPOINT_ID,
  type Sink,
  type SinkCommitter,
  type SinkContext,
  type SinkWriter,
} from "./api/index.ts";

export interface FileCommittable {
  readonly pending: string;
  readonly final: string;
}

const IN_PROGRESS = ".in-progress";

export class ExactlyOnceFileSink<T> implements Sink<T, FileCommittable> {
  readonly guarantee = "exactly-once";

  constructor(
    readonly dir: string,
    private readonly format: (value: T) => string = (value) => JSON.stringify(value),
  ) {}

  createWriter(context: SinkContext): SinkWriter<T, FileCommittable> {
    return new ExactlyOnceFileWriter<T>(this.dir, context.subtaskIndex, this.format);
  }

  createCommitter(): SinkCommitter<FileCommittable> {
    return {
      commit: async (committables) => {
        for (const c of committables) {
          try {
            await rename(c.pending, c.final);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
            // Already committed (a replayed commit) if the final file exists; otherwise it is lost.
            await stat(c.final).catch(() => {
              throw new Error(`cannot commit ${c.final}: its pending file ${c.pending} is gone`);
            });
          }
        }
      },
      abort: async (committables) => {
        for (const c of committables) await rm(c.pending, { force: true });
      },
      // A run resuming from checkpoint n writes again what was committed after n: those files go.
      discardCommittedAfter: async (checkpointId, kept) => {
        const keep = new Set(kept.map((c) => c.final));
        let names: string[];
        try {
          names = await readdir(this.dir);
        } catch {
          return [];
        }
        const removed: string[] = [];
        for (const name of names) {
          const id = /^part-\d+-(\d+|final)\.ndjson$/.exec(name)?.[1];
          if (id === undefined || keep.has(join(this.dir, name))) continue;
          // A subtask's last output (`final`) may have been committed by a checkpoint at or
          // before the one resumed, whose state holds that subtask as finished, so it will not be
          // written again: only a run from the beginning removes it.
          if (id === "final" ? checkpointId === 0 : Number(id) > checkpointId) {
            await rm(join(this.dir, name), { force: true });
            removed.push(join(this.dir, name));
          }
        }
        return removed;
      },
    };
  }
}

class ExactlyOnceFileWriter<T> implements SinkWriter<T, FileCommittable> {
  private lines: string[] = [];
  private handle: FileHandle | undefined;
  private current: string | undefined;
  private sequence = 0;
  private work: Promise<void>;
  private readonly runId =
    `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly dir: string,
    private readonly subtask: number,
    private readonly format: (value: T) => string,
  ) {
    this.work = this.cleanUp();
  }

  /** Deletes this subtask's in-progress files left by a crashed run: they were never committed. */
  private async cleanUp(): Promise<void> {
    const dir = join(this.dir, IN_PROGRESS);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir))
      if (name.startsWith(`part-${this.subtask}-`) && !name.includes(this.runId))
        await rm(join(dir, name), { force: true });
  }

  write(value: T): void {
    const line = this.format(value);
    if (typeof line !== "string") throw new TypeError("the sink's format returned no text for the record");
    this.lines.push(line);
  }

  flush(): Promise<void> {
    if (this.lines.length === 0) return this.work;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    this.work = this.work.then(async () => {
      if (this.handle === undefined) {
        this.current = join(
          this.dir,
          IN_PROGRESS,
          `part-${this.subtask}-${this.runId}-${this.sequence++}.ndjson`,
        );
        this.handle = await open(this.current, "w");
      }
      await this.handle.write(text);
    });
    return this.work;
  }

  prepareCommit(checkpointId: number): Promise<FileCommittable[]> {
    void this.flush();
    const name = checkpointId === FINAL_CHECKPOINT_ID ? "final" : String(checkpointId);
    const sealed = this.work.then(async (): Promise<FileCommittable[]> => {
      if (this.handle === undefined) return [];
      const handle = this.handle;
      const pending = this.current!;
      this.handle = undefined;
      this.current = undefined;
      await handle.sync();
      await handle.close();
      return [{ pending, final: join(this.dir, `part-${this.subtask}-${name}.ndjson`) }];
    });
    this.work = sealed.then(() => {});
    return sealed;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
