/**
 * The eddy job of a Nexmark query, and the job module that builds it in every worker thread
 * (`runJobModule(url, { parallelism, config })` with config { query, events, seed, profile }).
 * Source -> the query as written in queries/ -> a digest sink whose parts the job result holds
 * under the uid "digest".
 */

import { Job, type JobContext, type Sink, type WatermarkStrategy } from "@eddy/core";
import { type NexmarkEvent, type NexmarkOptions, NexmarkSource, nexmarkWatermarks } from "@eddy/nexmark";
import { DigestSink } from "./digest-sink.ts";
import { nexmarkQuery } from "./queries/index.ts";

export const DIGEST_UID = "digest";

export interface NexmarkJobConfig extends NexmarkOptions {
  readonly query: string;
  readonly events: number;
  /** Wall-clock throttle of the source (latency runs). */
  readonly eventsPerSecond?: number;
}

export interface NexmarkJobHooks {
  /** Replaces the default watermarks (dateTime - 4 s). */
  readonly watermarks?: WatermarkStrategy<NexmarkEvent>;
  /** Replaces the query's digest sink. */
  readonly sink?: Sink<any>;
}

export function buildNexmarkJob(config: NexmarkJobConfig, hooks: NexmarkJobHooks = {}): Job {
  const query = nexmarkQuery(config.query);
  const job = Job.create({ name: `nexmark-${query.name}` });
  const source = new NexmarkSource({
    events: config.events,
    seed: config.seed,
    profile: config.profile,
    eventRate: config.eventRate,
    baseTime: config.baseTime,
    eventsPerSecond: config.eventsPerSecond,
  });
  // Watermarks right after the source rather than per split at the source: a source's split
  // watermarks mark the source idle when its splits end, and at parallelism > 1 that lets a later
  // keyed stage fire windows before the other subtask's results arrive (see docs/performance.md).
  const events = job
    .fromSource(source, undefined, "nexmark")
    .uid("nexmark")
    .assignTimestampsAndWatermarks(hooks.watermarks ?? nexmarkWatermarks())
    .uid("watermarks");
  const sink = hooks.sink ?? query.sink?.() ?? new DigestSink(query.digestRow);
  query.eddy(events).sinkTo(sink).uid(DIGEST_UID);
  return job;
}

export default ({ config }: JobContext) => buildNexmarkJob(config as unknown as NexmarkJobConfig);
