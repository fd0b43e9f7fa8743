/**
 * A source reading NDJSON or CSV files, one split per file. Bounded by default: each file is read
 * to its end, readers pulling files one at a time so that the work balances itself. With
 * `follow: true` it is unbounded: files are spread over the readers up front and each is tailed
 * for appended lines. A malformed record goes to the dead-letter output as "path:line" and
 * reading goes on. See file-source-reader.ts for how reading stays off the task's critical path.
 */
import { resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from "./api/index.ts";
import { CsvFormat } from "./csv-format.ts";
import type { FileFormat } from "./file-format.ts";
import { type FileReaderConfig, FileSourceReader, type FileSplit } from "./file-source-reader.ts";
import { NdjsonFormat } from "./ndjson-format.ts";
import { SplitQueueEnumerator } from "./split-queue-enumerator.ts";
import { StaticSplitEnumerator } from "./static-split-enumerator.ts";

export interface FileSourceOptions {
  /** Tail the files for appended lines (unbounded); default false (read to the end). */
  readonly follow?: boolean;
  /** Following: how often a file at its end is checked for growth (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Most records one pollNext reads (default 1024). */
  readonly batchSize?: number;
  /** Bytes per prefetch read (default 256 KiB). */
  readonly readChunkBytes?: number;
}

export interface NdjsonSourceOptions<T> extends FileSourceOptions {
  /** Turns each parsed JSON value into a record; throw to send the line to the dead letters. */
  readonly parse?: (json: unknown) => T;
}

export interface CsvSourceOptions<T> extends FileSourceOptions {
  /** The first record names the columns (default true); it is skipped even when `columns` is given. */
  readonly header?: boolean;
  /** Default ",". */
  readonly delimiter?: string;
  /** Column names; default the header's, or "0", "1", ... without a header. */
  readonly columns?: readonly string[];
  /** Turns a row into a record (default: the row itself); throw to send it to the dead letters. */
  readonly parse?: (row: Record<string, string>) => T;
}

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_BATCH_SIZE = 1024;
const DEFAULT_READ_CHUNK_BYTES = 256 * 1024;

export class FileSource<T> implements Source<T, FileSplit> {
  readonly boundedness: Boundedness;
  readonly paths: readonly string[];
  private readonly config: FileReaderConfig<T>;

  /** Any line-based format; `FileSource.ndjson` and `FileSource.csv` are the usual ways in. */
  constructor(paths: string | readonly string[], format: FileFormat<T>, options: FileSourceOptions = {}) {
    this.paths = typeof paths === "string" ? [paths] : [...paths];
    if (this.paths.length === 0) throw new ConfigError("paths", "a file source needs at least one file");
    const seen = new Set<string>();
    for (const path of this.paths) {
      if (typeof path !== "string" || path === "")
        throw new ConfigError("paths", "paths must be non-empty strings");
      if (seen.has(path)) throw new ConfigError("paths", `'${path}' is listed twice`);
      seen.add(path);
    }
    this.config = {
      format,
      follow: options.follow ?? false,
      pollIntervalMs: positive("pollIntervalMs", options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
      batchSize: positiveInteger("batchSize", options.batchSize ?? DEFAULT_BATCH_SIZE),
      readChunkBytes: positiveInteger("readChunkBytes", options.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES),
    };
    this.boundedness = this.config.follow ? "unbounded" : "bounded";
  }

  describe(): string {
    return `files ${this.paths.map((p) => JSON.stringify(resolve(p))).join(", ")}${this.config.follow ? " (followed)" : ""}`;
  }

  static ndjson<T = unknown>(
    paths: string | readonly string[],
    options: NdjsonSourceOptions<T> = {},
  ): FileSource<T> {
    return new FileSource(paths, new NdjsonFormat(options.parse), options);
  }

  static csv<T = Record<string, string>>(
    paths: string | readonly string[],
    options: CsvSourceOptions<T> = {},
  ): FileSource<T> {
    const format = new CsvFormat<T>({
      header: options.header ?? true,
      delimiter: options.delimiter ?? ",",
      columns: options.columns,
      parse: options.parse,
    });
    return new FileSource(paths, format, options);
  }

  /**
   * `restoredSplits`, when given, are all the files still to hand out (those the readers'
   * checkpointed state does not hold); without them every file is read from its start.
   */
  createEnumerator(
    context: SplitEnumeratorContext<FileSplit>,
    restoredSplits?: readonly FileSplit[],
  ): SplitEnumerator<FileSplit> {
    const splits = restoredSplits ?? this.paths.map((path) => ({ splitId: path, path, offset: 0, line: 1 }));
    // Followed files never end, so a reader that pulled one would never ask again: assign up front.
    return this.config.follow
      ? new StaticSplitEnumerator(context, splits)
      : new SplitQueueEnumerator(context, splits);
  }

  createReader(context: SourceReaderContext): SourceReader<T, FileSplit> {
    return new FileSourceReader(context, this.config);
  }
}

function positive(key: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value)))
    throw new ConfigError(key, `must be a positive number, got ${value}`);
  return value;
}

function positiveInteger(key: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0))
    throw new ConfigError(key, `must be a positive integer, got ${value}`);
  return value;
}
