/**
 * q3, local item suggestion: auctions in category 10 joined with their sellers, when the seller
 * lives in Oregon, Idaho or California. An unbounded incremental join keyed by person id: a
 * seller's details are kept once seen, and an auction that arrives before its seller (auction
 * sellers may be up to 10 ids ahead of the newest person) waits for it.
 * Row: (name, city, state, auction id) per matching auction, emitted when both sides are there.
 */

import {
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedRuntimeContext,
  type ListState,
  StateDescriptors,
  type ValueState,
} from "@eddy/core";
import { type Auction, isAuction, isPerson, type Person } from "@eddy/nexmark";
import type { NexmarkQuery } from "../query.ts";
import type { RowDigest } from "../row-digest.ts";

export interface Q3Row {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}

interface Seller {
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

const inRegion = (p: Person) => p.state === "OR" || p.state === "ID" || p.state === "CA";
const inCategory = (a: Auction) => a.category === 10;

function digest(d: RowDigest, name: string, city: string, state: string, id: number): void {
  d.begin().str(name).str(city).str(state).num(id).end();
}

/** The join: auctions (input 1) and persons (input 2), both keyed by the seller's person id. */
class SellerJoin implements KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  private seller!: ValueState<Seller>;
  private waiting!: ListState<number>;

  open(context: KeyedRuntimeContext): void {
    this.seller = context.getState(StateDescriptors.value<Seller>("seller"));
    this.waiting = context.getListState(StateDescriptors.list<number>("waiting-auctions"));
  }

  processElement1(auction: Auction, _ctx: unknown, out: Collector<Q3Row>): void {
    const s = this.seller.value();
    if (s === undefined) this.waiting.add(auction.id);
    else out.collect({ name: s.name, city: s.city, state: s.state, id: auction.id });
  }

  processElement2(person: Person, _ctx: unknown, out: Collector<Q3Row>): void {
    const s: Seller = { name: person.name, city: person.city, state: person.state };
    this.seller.update(s);
    const waiting = this.waiting.get();
    if (waiting.length === 0) return;
    for (const id of waiting) out.collect({ name: s.name, city: s.city, state: s.state, id });
    this.waiting.clear();
  }
}

export const q3: NexmarkQuery<Q3Row> = {
  name: "q3",
  title: "auctions of category 10 joined with sellers in OR, ID, CA",
  rows: "(name, city, state, auction id) per joined auction",
  flinkPerCore: 219_000,
  eddy(events) {
    const auctions = events.filterType(isAuction).filter(inCategory).name("category-10");
    const persons = events.filterType(isPerson).filter(inRegion).name("or-id-ca");
    return auctions
      .keyBy((a) => a.seller)
      .connect(persons.keyBy((p) => p.id))
      .process(new SellerJoin())
      .uid("seller-join")
      .name("seller-join");
  },
  digestRow: (r, d) => digest(d, r.name, r.city, r.state, r.id),
  handWritten(generator, events, d) {
    const sellers = new Map<number, Person>();
    const waiting = new Map<number, number[]>();
    for (let k = 0; k < events; k++) {
      const e = generator.event(k);
      if (e.type === "auction") {
        if (e.category !== 10) continue;
        const s = sellers.get(e.seller);
        if (s !== undefined) digest(d, s.name, s.city, s.state, e.id);
        else {
          const list = waiting.get(e.seller);
          if (list === undefined) waiting.set(e.seller, [e.id]);
          else list.push(e.id);
        }
      } else if (e.type === "person" && inRegion(e)) {
        sellers.set(e.id, e);
        const list = waiting.get(e.id);
        if (list === undefined) continue;
        for (const id of list) digest(d, e.name, e.city, e.state, id);
        waiting.delete(e.id);
      }
    }
  },
};
