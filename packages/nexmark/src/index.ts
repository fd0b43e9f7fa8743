/**
 * @eddy/nexmark: the Nexmark benchmark's data (an auction site's people, auctions and bids) for
 * eddy. A deterministic generator (event k depends on the seed and k alone), the same stream as
 * an eddy source with resumable splits, and as NDJSON for `eddy nexmark generate`.
 */
export { EventRandom } from "./event-random.ts";
export {
  DEFAULT_BASE_TIME,
  DEFAULT_SEED,
  NexmarkGenerator,
  type NexmarkOptions,
  RATE_PROFILES,
  type RateProfile,
  WATERMARK_DELAY_MS,
} from "./generator.ts";
export {
  type Auction,
  type Bid,
  isAuction,
  isBid,
  isPerson,
  type NexmarkEvent,
  type Person,
} from "./model.ts";
export {
  type NdjsonOutput,
  type NexmarkNdjsonOptions,
  nexmarkNdjsonChunks,
  writeNexmarkNdjson,
} from "./ndjson.ts";
export {
  NexmarkSource,
  type NexmarkSourceOptions,
  type NexmarkSplit,
  nexmarkSplits,
  nexmarkWatermarks,
} from "./source.ts";
