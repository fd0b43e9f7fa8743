/**
 * q2, selection: the bids on auctions whose id is a multiple of 123. A stateless filter.
 * Row: (auction, price) per selected bid.
 */

import { isBid } from "@eddy/nexmark";
import { filter, map } from "rxjs";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q2Row {
  readonly auction: number;
  readonly price: number;
}

const digest = (d: RowDigest, auction: number, price: number) => d.begin().num(auction).num(price).end();

export const q2: NexmarkQuery<Q2Row> = {
  name: "q2",
  title: "bids with auction % 123 == 0",
  rows: "(auction, price) per selected bid",
  flinkPerCore: 414_000,
  eddy: (events) =>
    events
      .filterType(isBid)
      .filter((b) => b.auction % 123 === 0)
      .map((b): Q2Row => ({ auction: b.auction, price: b.price })),
  digestRow: (r, d) => digest(d, r.auction, r.price),
  handWritten(generator, events, d) {
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type === "bid" && e.auction % 123 === 0) digest(d, e.auction, e.price);
    }
  },
  rx: (events) =>
    events.pipe(
      filter(isBid),
      filter((b) => b.auction % 123 === 0),
      map((b): Q2Row => ({ auction: b.auction, price: b.price })),
    ),
};
