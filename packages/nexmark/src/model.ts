/**
 * The Nexmark data model: one stream of three kinds of events (an online auction site's new
 * people, new auctions and bids), as in the Nexmark benchmark (Tucker et al., "NEXMark - A
 * Benchmark for Queries over Data Streams", 2002) and its streaming-engine edition, nexmark-flink.
 * Times are epoch milliseconds; prices are cents. `type` tells the kinds apart, so an event
 * serialises to NDJSON as it is.
 */

export interface Person {
  readonly type: "person";
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly type: "auction";
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly type: "bid";
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export type NexmarkEvent = Person | Auction | Bid;

export const isPerson = (e: NexmarkEvent): e is Person => e.type === "person";
export const isAuction = (e: NexmarkEvent): e is Auction => e.type === "auction";
export const isBid = (e: NexmarkEvent): e is Bid => e.type === "bid";
