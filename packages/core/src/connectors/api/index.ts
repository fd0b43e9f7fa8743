/**
 * The connector contract: the interfaces a source or sink implements, one concept per file.
 * Sources: `source.ts` (the source and its splits), `split-enumerator.ts` (which reader reads
 * which split, on the coordinating thread), `source-reader.ts` (reading, on the task thread).
 * Sinks: `sink.ts` (the sink and its writer) and `sink-committer.ts` (two-phase commit). Connector
 * packages implement these through `@eddy/core`'s public entry; the shared building blocks (split
 * enumerators, the split-reader base, reader availability) are in `connectors/`.
 */
export type { DeliveryGuarantee, Sink, SinkContext, SinkWriter } from "./sink.ts";
export { FINAL_CHECKPOINT_ID, type SinkCommitter } from "./sink-committer.ts";
export type { Boundedness, Source, SourceSplit } from "./source.ts";
export type {
  InputStatus,
  ReaderOutput,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from "./source-reader.ts";
export type { SplitEnumerator, SplitEnumeratorContext } from "./split-enumerator.ts";
