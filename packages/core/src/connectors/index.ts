/**
 * The built-in connectors: the source and sink contract (api/), the building blocks connector
 * packages share (the split-reader base, reader availability, the static and queue split
 * enumerators), and the sources and sinks that need no client library (in-memory elements, a
 * data generator, NDJSON and CSV files, stdout).
 */

export * from "./api/index.ts";
export { CollectSink } from "./collect-sink.ts";
export { CsvFormat, type CsvFormatOptions, parseCsvFields } from "./csv-format.ts";
export { ExactlyOnceFileSink, type FileCommittable } from "./exactly-once-file-sink.ts";
export { type FileFormat, type FormatState, SKIP_RECORD } from "./file-format.ts";
export { NdjsonFileSink, type NdjsonFileSinkOptions, type SubtaskPath } from "./file-sink.ts";
export {
  type CsvSourceOptions,
  FileSource,
  type FileSourceOptions,
  type NdjsonSourceOptions,
} from "./file-source.ts";
export type { FileSplit } from "./file-source-reader.ts";
export {
  type FromElementsOptions,
  FromElementsSource,
  type FromElementsSplit,
  type TimestampedElement,
} from "./from-elements-source.ts";
export { GeneratorSource, type GeneratorSourceOptions, type GeneratorSplit } from "./generator-source.ts";
export { NdjsonFormat } from "./ndjson-format.ts";
export { PrintSink, type PrintSinkOptions, type PrintTarget } from "./print-sink.ts";
export { ReaderAvailability } from "./reader-availability.ts";
export { SeededRandom } from "./seeded-random.ts";
export { SplitQueueEnumerator } from "./split-queue-enumerator.ts";
export { SplitReaderBase, type SplitReaderOptions, type SplitReadResult } from "./split-reader-base.ts";
export { StaticSplitEnumerator } from "./static-split-enumerator.ts";
