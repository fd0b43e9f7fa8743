/**
 * q11, user sessions: bids per bidder grouped into sessions that end after 10 s without a bid
 * (event-time session windows: a bid at t opens [t, t + 10 s), and windows that overlap or touch
 * merge). Row: (bidder, bid count, session start, session end) per session.
 */

import { type AggregateFunction, type Collector, EventTimeSessionWindows } from "@eddy/core";
import { isBid } from "@eddy/nexmark";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q11Row {
  readonly bidder: number;
  readonly bids: number;
  readonly start: number;
  readonly end: number;
}

const GAP = 10_000;

const digest = (d: RowDigest, bidder: number, bids: number, start: number, end: number) =>
  d.begin().num(bidder).num(bids).num(start).num(end).end();

const countBids: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_bid, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

interface Session {
  start: number;
  end: number;
  bids: number;
}

export const q11: NexmarkQuery<Q11Row> = {
  name: "q11",
  title: "bids per bidder session (gap 10 s)",
  rows: "(bidder, bids, session start, session end) per session",
  flinkPerCore: 46_100,
  eddy: (events) =>
    events
      .filterType(isBid)
      .keyBy((b) => b.bidder)
      .window(EventTimeSessionWindows.withGap(GAP))
      .aggregate(countBids, {
        process(ctx, counts, out: Collector<Q11Row>) {
          out.collect({ bidder: ctx.key, bids: counts[0], start: ctx.window.start, end: ctx.window.end });
        },
      })
      .uid("sessions")
      .name("sessions"),
  digestRow: (r, d) => digest(d, r.bidder, r.bids, r.start, r.end),
  handWritten(generator, events, d) {
    const sessions = new Map<number, Session>();
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type !== "bid") continue;
      const t = e.dateTime;
      const s = sessions.get(e.bidder);
      if (s === undefined) sessions.set(e.bidder, { start: t, end: t + GAP, bids: 1 });
      else if (t <= s.end) {
        // In order, so t >= s.start: the bid's window [t, t + gap) touches or overlaps the session.
        if (t + GAP > s.end) s.end = t + GAP;
        s.bids++;
      } else {
        digest(d, e.bidder, s.bids, s.start, s.end);
        s.start = t;
        s.end = t + GAP;
        s.bids = 1;
      }
    }
    for (const [bidder, s] of sessions) digest(d, bidder, s.bids, s.start, s.end);
  },
};
