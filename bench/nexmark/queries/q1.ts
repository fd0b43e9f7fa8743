/**
 * q1, currency conversion: every bid with its price in euros (price * 0.908). A stateless map.
 * Row: (auction, bidder, price * 0.908, dateTime, extra) per bid.
 */

import { type Bid, isBid } from "@eddy/nexmark";
import { filter, map } from "rxjs";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q1Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

const toEuros = (bid: Bid): Q1Row => ({
  auction: bid.auction,
  bidder: bid.bidder,
  price: bid.price * 0.908,
  dateTime: bid.dateTime,
  extra: bid.extra,
});

function digest(
  d: RowDigest,
  auction: number,
  bidder: number,
  price: number,
  dateTime: number,
  extra: string,
) {
  d.begin().num(auction).num(bidder).num(price).num(dateTime).str(extra).end();
}

export const q1: NexmarkQuery<Q1Row> = {
  name: "q1",
  title: "bids with price converted (x 0.908)",
  rows: "(auction, bidder, price * 0.908, dateTime, extra) per bid",
  flinkPerCore: 395_000,
  eddy: (events) => events.filterType(isBid).map(toEuros).name("to-euros"),
  digestRow: (r, d) => digest(d, r.auction, r.bidder, r.price, r.dateTime, r.extra),
  handWritten(generator, events, d) {
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type === "bid") digest(d, e.auction, e.bidder, e.price * 0.908, e.dateTime, e.extra);
    }
  },
  rx: (events) => events.pipe(filter(isBid), map(toEuros)),
};
