/**
 * The reader of a file source. Each split is one file and its position is the byte offset of the
 * next unread record (with its line number, for error messages). Reading never blocks the task:
 * chunks are prefetched with fs.promises into a per-split buffer, and pollNext only cuts complete
 * records out of that buffer, synchronously. A partial last record is held back until its newline
 * arrives, or, when not following, until the file is known to end there.
 *
 * Following (`follow: true`), a split at the end of its file checks the file's size every
 * `pollIntervalMs` and reads on when it grew. Follow mode reads append-only files: a file that
 * shrinks (truncated, or replaced by a shorter one) fails the source rather than silently
 * re-reading or skipping data.
 *
 * Owning splits, their turns and outputs, pulling files one at a time and the end of input are
 * SplitReaderBase's; this file is how one file is read.
 */
import type { FileHandle } from "node:fs/promises";
import { open, stat } from "node:fs/promises";
import { EddyError, errorMessage } from "../errors.ts";
import type { SourceOutput, SourceReaderContext, SourceSplit } from "./api/index.ts";
import { type FileFormat, type FormatState, SKIP_RECORD } from "./file-format.ts";
import { SplitReaderBase, type SplitReadResult } from "./split-reader-base.ts";

export interface FileSplit extends SourceSplit {
  readonly splitId: string;
  readonly path: string;
  /** Byte offset of the next unread record. */
  readonly offset: number;
  /** Line (1-based) on which that record starts. */
  readonly line: number;
  /** The CSV columns, once the header was read (a restored reader does not read it again). */
  readonly columns?: readonly string[];
}

export interface FileReaderConfig<T> {
  readonly format: FileFormat<T>;
  readonly follow: boolean;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  readonly readChunkBytes: number;
}

interface OpenSplit {
  readonly splitId: string;
  readonly path: string;
  offset: number;
  line: number;
  readonly state: FormatState;
  handle: FileHandle | undefined;
  /** Prefetched bytes; `buffer[position]` is the byte at `offset`. */
  buffer: Buffer;
  position: number;
  /** The buffer reads land in before they are appended to `buffer`. */
  chunk: Uint8Array | undefined;
  /** Where the next read starts: `offset` plus the unread bytes in the buffer. */
  readOffset: number;
  reading: Promise<void> | undefined;
  /** The last read found nothing more (and, when following, the file has not grown since). */
  atEof: boolean;
  /** File size, for progress; known once the file is open. */
  size: number | undefined;
  failure: EddyError | undefined;
  watchTimer: ReturnType<typeof setTimeout> | undefined;
  released: boolean;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

export class FileSourceReader<T> extends SplitReaderBase<T, FileSplit, OpenSplit> {
  private closed = false;
  /** Sizes of the files this reader finished, for progress. */
  private finishedBytes = 0;

  /** Bounded reading is pull-based: a reader asks for a file when it has none. */
  constructor(
    context: SourceReaderContext,
    private readonly config: FileReaderConfig<T>,
  ) {
    super(context, { pull: !config.follow });
  }

  protected openSplit(split: FileSplit): OpenSplit {
    const open: OpenSplit = {
      splitId: split.splitId,
      path: split.path,
      offset: split.offset,
      line: split.line,
      state: split.columns === undefined ? {} : { columns: [...split.columns] },
      handle: undefined,
      buffer: EMPTY,
      position: 0,
      chunk: undefined,
      readOffset: split.offset,
      reading: undefined,
      atEof: false,
      size: undefined,
      failure: undefined,
      watchTimer: undefined,
      released: false,
    };
    this.fetch(open);
    return open;
  }

  protected snapshotSplit(s: OpenSplit): FileSplit {
    const split: FileSplit = { splitId: s.splitId, path: s.path, offset: s.offset, line: s.line };
    return s.state.columns === undefined ? split : { ...split, columns: [...s.state.columns] };
  }

  /** Bytes consumed / bytes of the files this reader holds and held; undefined when following. */
  progress(): number | undefined {
    if (this.config.follow) return undefined;
    let total = this.finishedBytes;
    let done = this.finishedBytes;
    const splits = this.ownedSplits();
    for (const split of splits) {
      if (split.size === undefined) return undefined;
      total += split.size;
      done += split.offset;
    }
    if (total === 0) return splits.length === 0 && this.noMoreSplitsComing ? 1 : undefined;
    return Math.min(1, done / total);
  }

  override async close(): Promise<void> {
    this.closed = true;
    super.close();
    await Promise.all(this.ownedSplits().map((split) => this.closeSplit(split)));
  }

  /** A finished file: counted for progress, its handle closed. */
  protected override splitFinished(split: OpenSplit): void {
    this.finishedBytes += split.size ?? split.offset;
    void this.closeSplit(split);
  }

  /**
   * Cuts up to a batch of records out of the split's prefetched buffer. It returns "waiting" only
   * with a read or a size check under way, each of which signals availability when it ends.
   */
  protected readSplit(split: OpenSplit, out: SourceOutput<T>): SplitReadResult {
    if (split.failure !== undefined) throw split.failure;
    if (split.offset === 0 && !this.skipByteOrderMark(split)) {
      this.fetch(split);
      return "waiting";
    }
    const { format, batchSize, follow } = this.config;
    let records = 0;
    let incomplete = false;
    while (records < batchSize) {
      const buffer = split.buffer;
      const start = split.position;
      let end = start < buffer.length ? format.findRecordEnd(buffer, start) : -1;
      let next = end + 1;
      if (end < 0) {
        // The file ended without a final newline: what is left is the last record.
        if (split.atEof && !follow && start < buffer.length) end = next = buffer.length;
        else {
          incomplete = true;
          break;
        }
      }
      const line = split.line;
      split.line += (format.multiline ? countNewlines(buffer, start, end) : 0) + (next > end ? 1 : 0);
      split.offset += next - start;
      split.position = next;
      records++;
      const textEnd = end > start && buffer[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
      const text = buffer.toString("utf8", start, textEnd);
      let value: T | typeof SKIP_RECORD;
      try {
        value = format.decode(text, split.state);
      } catch (error) {
        out.deadLetter(text, errorMessage(error), `${split.path}:${line}`);
        continue;
      }
      if (value !== SKIP_RECORD) out.collect(value);
    }
    const unread = split.buffer.length - split.position;
    if (unread === 0) {
      split.buffer = EMPTY;
      split.position = 0;
    }
    if (split.atEof) {
      if (!follow && unread === 0) return "finished";
      if (follow && incomplete) this.watch(split);
    } else if (incomplete || unread < this.config.readChunkBytes) {
      this.fetch(split);
    }
    return records > 0 ? "emitted" : "waiting";
  }

  /** At offset 0: skips a UTF-8 byte order mark. False while too few bytes are known to tell. */
  private skipByteOrderMark(split: OpenSplit): boolean {
    const { buffer, position } = split;
    if (buffer.length - position < BOM.length) return split.atEof;
    if (BOM.every((byte, i) => buffer[position + i] === byte)) {
      split.position += BOM.length;
      split.offset += BOM.length;
    }
    return true;
  }

  /** Starts reading the next chunk, unless a read is under way or there is nothing to read. */
  private fetch(split: OpenSplit): void {
    if (split.reading !== undefined || split.failure !== undefined || split.atEof || split.released) return;
    if (this.closed) return;
    split.reading = this.readChunk(split)
      .catch((error: unknown) => {
        split.failure = readFailure(split.path, error);
      })
      .finally(() => {
        split.reading = undefined;
        if (!this.closed && !split.released) this.availability.signal();
      });
  }

  private async readChunk(split: OpenSplit): Promise<void> {
    if (split.handle === undefined) {
      try {
        split.handle = await open(split.path, "r");
      } catch (error) {
        // A followed file may appear later; the size check keeps looking for it.
        if (this.config.follow && isMissingFile(error)) {
          split.atEof = true;
          return;
        }
        throw error;
      }
      split.size = (await split.handle.stat()).size;
    }
    // One chunk per split, reused: what was read is copied out below.
    const chunk = (split.chunk ??= new Uint8Array(this.config.readChunkBytes));
    const { bytesRead } = await split.handle.read(chunk, 0, chunk.length, split.readOffset);
    if (bytesRead === 0) {
      split.atEof = true;
      return;
    }
    const unread = split.buffer.length - split.position;
    const merged = Buffer.allocUnsafe(unread + bytesRead);
    merged.set(split.buffer.subarray(split.position), 0);
    merged.set(chunk.subarray(0, bytesRead), unread);
    split.buffer = merged;
    split.position = 0;
    split.readOffset += bytesRead;
    if (split.size !== undefined && split.readOffset > split.size) split.size = split.readOffset;
  }

  /** Following, at the end of the file: checks its size every pollIntervalMs until it grows. */
  private watch(split: OpenSplit): void {
    if (split.watchTimer !== undefined || split.reading !== undefined || this.closed || split.released)
      return;
    split.watchTimer = setTimeout(() => {
      split.watchTimer = undefined;
      stat(split.path).then(
        (stats) => {
          if (this.closed || split.released) return;
          if (stats.size > split.readOffset) {
            split.atEof = false;
            this.fetch(split);
          } else if (stats.size < split.readOffset) {
            split.failure = new EddyError(
              "EDDY_FILE_SOURCE",
              `followed file '${split.path}' shrank from ${split.readOffset} to ${stats.size} bytes; ` +
                "follow mode reads append-only files: write new data to a new file instead of truncating",
            );
            this.availability.signal();
          } else {
            this.watch(split);
          }
        },
        (error: unknown) => {
          if (this.closed || split.released) return;
          if (isMissingFile(error)) return this.watch(split);
          split.failure = readFailure(split.path, error);
          this.availability.signal();
        },
      );
    }, this.config.pollIntervalMs);
  }

  private async closeSplit(split: OpenSplit): Promise<void> {
    split.released = true;
    if (split.watchTimer !== undefined) clearTimeout(split.watchTimer);
    split.watchTimer = undefined;
    await split.reading;
    split.chunk = undefined;
    const handle = split.handle;
    split.handle = undefined;
    await handle?.close().catch(() => {});
  }
}

function countNewlines(buffer: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = buffer.indexOf(NEWLINE, start); i >= 0 && i < end; i = buffer.indexOf(NEWLINE, i + 1)) count++;
  return count;
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

/** Errors that running again cannot fix (the file is missing, a directory, forbidden) are not retriable. */
function readFailure(path: string, error: unknown): EddyError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const permanent = code === "ENOENT" || code === "EISDIR" || code === "EACCES" || code === "EPERM";
  return new EddyError("EDDY_FILE_SOURCE", `file source cannot read '${path}': ${errorMessage(error)}`, {
    cause: error,
    retriable: !permanent,
  });
}
