/**
 * The Nexmark event generator, faithful to nexmark-flink's rules (see /work/shared/NEXMARK.md):
 * event number k has eventId k + 1; `eventId % 50` makes it a person (0), an auction (1-3) or a
 * bid (4-49); ids are sequential from 1000; sellers, bidders and auctions favour "hot" ids; prices
 * are log-uniform; `extra` pads events to about 200 / 500 / 100 bytes. Event time advances by
 * 1e6 / rate microseconds per event (R100K: 100,000 events per second of event time).
 *
 * Every event depends on (seed, eventId) only: `event(k)` regenerates any event alone, in any
 * order, on any thread. That is what lets a source split the stream by event number and resume
 * from a position. Unlike nexmark-flink, parallel generators do not run separate timelines: event
 * k is the same whatever the parallelism, so every implementation sees one stream.
 */
import { EventRandom } from "./event-random.ts";
import type { Auction, Bid, NexmarkEvent, Person } from "./model.ts";
import {
  CHANNEL_COUNT,
  HOT_CHANNELS,
  type StringPools,
  stringPools,
  US_CITIES,
  US_STATES,
} from "./string-pools.ts";

/** Event-time rate profiles: events per second of event time. */
export const RATE_PROFILES = { R100K: 100_000, R10M: 10_000_000 } as const;
export type RateProfile = keyof typeof RATE_PROFILES;

export interface NexmarkOptions {
  /** Global seed (default 42). */
  readonly seed?: number;
  /** Event-time rate profile (default R100K). */
  readonly profile?: RateProfile;
  /** Events per second of event time, instead of a profile (tests use a slow rate to span many windows). */
  readonly eventRate?: number;
  /** Event time of event 0, epoch ms (default 2024-01-01T00:00:00Z). */
  readonly baseTime?: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_BASE_TIME = Date.UTC(2024, 0, 1);
/** Nexmark's watermark trails the event time by this much. */
export const WATERMARK_DELAY_MS = 4000;

// Proportions and id rules of nexmark-flink's default configuration.
const PROPORTION_TOTAL = 50; // 1 person, 3 auctions, 46 bids
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const CATEGORIES = 5;
const ACTIVE_PEOPLE = 1000;
const IN_FLIGHT_AUCTIONS = 100;
const ID_LEAD = 10;
/** Hot ids are the first of each batch of this many. */
const HOT_BATCH = 100;
/** P(hot) = 1 - 1/ratio. */
const HOT_AUCTION_RATIO = 2;
const HOT_SELLER_RATIO = 4;
const HOT_BIDDER_RATIO = 4;
/** Events until `IN_FLIGHT_AUCTIONS` more auctions exist: an auction's average length. */
const AUCTION_HORIZON_EVENTS = Math.floor((IN_FLIGHT_AUCTIONS * PROPORTION_TOTAL) / 3);
const PERSON_BYTES = 200;
const AUCTION_BYTES = 500;
const BID_BYTES = 100;
const SIX_LN10 = 6 * Math.LN10;

export class NexmarkGenerator {
  readonly seed: number;
  readonly baseTime: number;
  readonly eventsPerSecond: number;
  private readonly interEventDelayUs: number;
  private readonly random = new EventRandom();
  private readonly pools: StringPools;
  private readonly letters: string;
  private readonly words: string;

  constructor(options: NexmarkOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.baseTime = options.baseTime ?? DEFAULT_BASE_TIME;
    const profile = options.profile ?? "R100K";
    this.eventsPerSecond = options.eventRate ?? RATE_PROFILES[profile];
    if (this.eventsPerSecond === undefined) throw new RangeError(`unknown Nexmark profile '${profile}'`);
    if (!(this.eventsPerSecond > 0 && this.eventsPerSecond <= 1e9))
      throw new RangeError(`eventRate must be in (0, 1e9], got ${this.eventsPerSecond}`);
    if (!Number.isSafeInteger(this.seed)) throw new RangeError(`seed must be an integer, got ${this.seed}`);
    this.interEventDelayUs = 1e6 / this.eventsPerSecond;
    this.pools = stringPools();
    this.letters = this.pools.letters;
    this.words = this.pools.words;
  }

  /** Event time of event number k (ms). */
  timestamp(k: number): number {
    return this.baseTime + Math.floor(Math.floor(k * this.interEventDelayUs) / 1000);
  }

  /** Event number k (k >= 0), a new object each call. */
  event(k: number): NexmarkEvent {
    const eventId = k + 1;
    const dateTime = this.timestamp(k);
    this.random.reseed(this.seed, eventId);
    const rem = eventId % PROPORTION_TOTAL;
    if (rem === 0) return this.person(eventId, dateTime);
    if (rem < 4) return this.auction(k, eventId, dateTime);
    return this.bid(eventId, dateTime);
  }

  private person(eventId: number, dateTime: number): Person {
    const r = this.random;
    const pools = this.pools;
    const name = pools.personNames[r.nextInt(pools.personNames.length)];
    const emailAddress = `${this.nextString(7)}@${this.nextString(5)}.com`;
    const g = pools.digitGroups;
    const creditCard = `${g[r.nextInt(10_000)]} ${g[r.nextInt(10_000)]} ${g[r.nextInt(10_000)]} ${g[r.nextInt(10_000)]}`;
    const city = US_CITIES[r.nextInt(US_CITIES.length)];
    const state = US_STATES[r.nextInt(US_STATES.length)];
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    return {
      type: "person",
      id: lastPersonId(eventId) + FIRST_PERSON_ID,
      name,
      emailAddress,
      creditCard,
      city,
      state,
      dateTime,
      extra: this.nextExtra(size, PERSON_BYTES),
    };
  }

  private auction(k: number, eventId: number, dateTime: number): Auction {
    const r = this.random;
    const seller =
      r.nextInt(HOT_SELLER_RATIO) > 0
        ? Math.floor(lastPersonId(eventId) / HOT_BATCH) * HOT_BATCH
        : this.randomPersonId(eventId);
    const category = FIRST_CATEGORY_ID + r.nextInt(CATEGORIES);
    const initialBid = this.nextPrice();
    const horizon = this.timestamp(k + AUCTION_HORIZON_EVENTS) - dateTime;
    const expires = dateTime + 1 + r.nextInt(Math.max(horizon * 2, 1));
    const itemName = this.nextString(20);
    const description = this.nextString(100);
    const reserve = initialBid + this.nextPrice();
    const size = 8 + itemName.length + description.length + 40;
    return {
      type: "auction",
      id: lastAuctionId(eventId) + FIRST_AUCTION_ID,
      itemName,
      description,
      initialBid,
      reserve,
      dateTime,
      expires,
      seller: seller + FIRST_PERSON_ID,
      category,
      extra: this.nextExtra(size, AUCTION_BYTES),
    };
  }

  private bid(eventId: number, dateTime: number): Bid {
    const r = this.random;
    let auction: number;
    if (r.nextInt(HOT_AUCTION_RATIO) > 0)
      auction = Math.floor(lastAuctionId(eventId) / HOT_BATCH) * HOT_BATCH;
    else {
      const last = lastAuctionId(eventId);
      const min = Math.max(last - IN_FLIGHT_AUCTIONS, 0);
      auction = min + r.nextInt(last - min + 1 + ID_LEAD);
    }
    const bidder =
      r.nextInt(HOT_BIDDER_RATIO) > 0
        ? Math.floor(lastPersonId(eventId) / HOT_BATCH) * HOT_BATCH + 1
        : this.randomPersonId(eventId);
    const price = this.nextPrice();
    let channel: string;
    let url: string;
    if (r.nextInt(2) > 0) {
      const i = r.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i];
      url = this.pools.hotUrls[i];
    } else {
      const n = r.nextInt(CHANNEL_COUNT);
      channel = this.pools.channelNames[n];
      url = this.pools.channelUrls[n];
    }
    return {
      type: "bid",
      auction: auction + FIRST_AUCTION_ID,
      bidder: bidder + FIRST_PERSON_ID,
      price,
      channel,
      url,
      dateTime,
      extra: this.nextExtra(32, BID_BYTES),
    };
  }

  /** One of the last ACTIVE_PEOPLE people, or up to ID_LEAD not created yet (base 0). */
  private randomPersonId(eventId: number): number {
    const people = lastPersonId(eventId) + 1;
    const active = Math.min(people, ACTIVE_PEOPLE);
    return people - active + this.random.nextInt(active + ID_LEAD);
  }

  /** Cents, log-uniform between 1 dollar and 1 million dollars: round(10^(6U) * 100). */
  private nextPrice(): number {
    // exp(x ln 10) rather than 10 ** x: the same values here, at a third of the cost.
    return Math.round(Math.exp(this.random.nextDouble() * SIX_LN10) * 100);
  }

  /** 3 to maxLength - 1 random letters and spaces, trimmed. */
  private nextString(maxLength: number): string {
    const r = this.random;
    const length = 3 + r.nextInt(maxLength - 3);
    const at = r.nextInt(this.words.length - length);
    return this.words.substring(at, at + length).trim();
  }

  /** Letters that bring an event of `size` bytes to `average` bytes on average (±20 %). */
  private nextExtra(size: number, average: number): string {
    if (size > average) return "";
    const wanted = average - size;
    const delta = Math.round(wanted * 0.2);
    const length = wanted - delta + (delta === 0 ? 0 : this.random.nextInt(2 * delta));
    const at = this.random.nextInt(this.letters.length - length);
    return this.letters.substring(at, at + length);
  }
}

/** The newest person id (base 0) at this event: one person per 50 events. */
function lastPersonId(eventId: number): number {
  return Math.floor(eventId / PROPORTION_TOTAL);
}

/** The newest auction id (base 0) at this event: three auctions per 50 events. */
function lastAuctionId(eventId: number): number {
  const epoch = Math.floor(eventId / PROPORTION_TOTAL);
  const offset = eventId % PROPORTION_TOTAL;
  if (offset === 0) return epoch * 3 - 1;
  if (offset >= 4) return epoch * 3 + 2;
  return epoch * 3 + offset - 1;
}
