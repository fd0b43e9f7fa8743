/**
 * q8, monitor new users: in tumbling windows of 10 s, the people who created an account and
 * opened an auction in the same window. A windowed join written as one keyed window over both
 * inputs: persons keyed by id and auctions keyed by seller meet in the same key and window.
 * Row: (person id, name, window start) per person who also sold in that window.
 */

import {
  type AggregateFunction,
  type Collector,
  type DataStream,
  TumblingEventTimeWindows,
} from "@eddy/core";
import type { Auction, NexmarkEvent, Person } from "@eddy/nexmark";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q8Row {
  readonly id: number;
  readonly name: string;
  readonly windowStart: number;
}

const SIZE = 10_000;

const digest = (d: RowDigest, id: number, name: string, windowStart: number) =>
  d.begin().num(id).str(name).num(windowStart).end();

interface NewUser {
  /** The person's name if they joined in this window. */
  name: string | undefined;
  sold: boolean;
}

const newUser: AggregateFunction<Person | Auction, NewUser, NewUser> = {
  createAccumulator: () => ({ name: undefined, sold: false }),
  add(e, acc) {
    if (e.type === "person") acc.name = e.name;
    else acc.sold = true;
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => ({ name: a.name ?? b.name, sold: a.sold || b.sold }),
};

const notBid = (e: NexmarkEvent): e is Person | Auction => e.type !== "bid";

export const q8: NexmarkQuery<Q8Row> = {
  name: "q8",
  title: "people who joined and opened an auction in the same 10 s window",
  rows: "(person id, name, window start) per such person and window",
  flinkPerCore: 162_000,
  eddy: (events: DataStream<NexmarkEvent>) =>
    events
      .filterType(notBid)
      .keyBy((e) => (e.type === "person" ? e.id : e.seller))
      .window(TumblingEventTimeWindows.of(SIZE))
      .aggregate(newUser, {
        process(ctx, results, out: Collector<Q8Row>) {
          const u = results[0];
          if (u.name !== undefined && u.sold)
            out.collect({ id: ctx.key, name: u.name, windowStart: ctx.window.start });
        },
      })
      .uid("new-users")
      .name("new-users"),
  digestRow: (r, d) => digest(d, r.id, r.name, r.windowStart),
  handWritten(generator, events, d) {
    let window = Number.NEGATIVE_INFINITY;
    const joined = new Map<number, string>();
    const sold = new Set<number>();
    const fire = () => {
      for (const [id, name] of joined) if (sold.has(id)) digest(d, id, name, window * SIZE);
      joined.clear();
      sold.clear();
    };
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type === "bid") continue;
      const w = Math.floor(e.dateTime / SIZE);
      if (w !== window) {
        fire();
        window = w;
      }
      if (e.type === "person") joined.set(e.id, e.name);
      else sold.add(e.seller);
    }
    fire();
  },
};
