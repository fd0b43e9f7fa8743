/**
 * q0, pass-through: every bid, unchanged. Measures the cost of moving events through the engine.
 * Row: (auction, bidder, price, dateTime, extra) of each bid.
 */

import { type Bid, isBid } from "@eddy/nexmark";
import { filter } from "rxjs";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

function digestBid(bid: Bid, d: RowDigest): void {
  d.begin().num(bid.auction).num(bid.bidder).num(bid.price).num(bid.dateTime).str(bid.extra).end();
}

export const q0: NexmarkQuery<Bid> = {
  name: "q0",
  title: "pass-through of bids",
  rows: "(auction, bidder, price, dateTime, extra) per bid",
  flinkPerCore: 379_000,
  eddy: (events) => events.filterType(isBid).name("bids"),
  digestRow: digestBid,
  handWritten(generator, events, digest) {
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type === "bid") digestBid(e, digest);
    }
  },
  rx: (events) => events.pipe(filter(isBid)),
};
