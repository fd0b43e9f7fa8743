/**
 * What a Nexmark query is in the benchmark suite: one definition of its output rows (and their
 * digest), and up to three implementations that must produce the same rows from the same events:
 * - eddy: the query written with eddy's public DataStream API, as a user would;
 * - hand-written: one loop over the generator, fusing everything by hand (the limit);
 * - rx: the same logic in RxJS, event-time windows in user code (the peer a Node.js user picks).
 * Window results of a bounded run include the windows still open at the end of the input (eddy's
 * final watermark fires them), so every implementation flushes its open windows at the end.
 */

import type { DataStream, Sink } from "@eddy/core";
import type { NexmarkEvent, NexmarkGenerator } from "@eddy/nexmark";
import type { Observable } from "rxjs";
import type { RowDigest } from "./row-digest.ts";

export interface NexmarkQuery<Row = any> {
  readonly name: string;
  /** One line: what the query computes. */
  readonly title: string;
  /** What one output row holds and when it is emitted. */
  readonly rows: string;
  /** Flink 2.x events per second per core (nexmark-flink GUIDE_V2), for the ratio. */
  readonly flinkPerCore: number;
  /** The query on the event stream, written with the public API as a user would. */
  eddy(events: DataStream<NexmarkEvent>): DataStream<Row>;
  /** The sink that digests eddy's output; default: a DigestSink of every row. */
  sink?(): Sink<Row>;
  /** Adds one output row to a digest: the definition of the row's fields. */
  digestRow(row: Row, digest: RowDigest): void;
  /** The hand-written limit: events 0 .. events-1 of the generator in one loop, rows into the digest. */
  handWritten(generator: NexmarkGenerator, events: number, digest: RowDigest): void;
  /** The RxJS version, when the suite has one. */
  rx?(events: Observable<NexmarkEvent>): Observable<Row>;
}
