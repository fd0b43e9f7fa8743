/**
 * A tour of the DataStream API in one small job, the code behind the README's "API by example":
 * a file source with event time, map/filter/flatMap, keyed state and timers, a window with
 * allowed lateness and a late-data side output, connect, a side output of its own, dead letters
 * and sinks. The input is examples/data/orders.ndjson: ten orders, one with a bad amount, one
 * that is not JSON, and one that arrives two hours late.
 *
 *   npx eddy run examples/api-tour.ts
 */
import { fileURLToPath } from "node:url";
import {
  type Collector,
  FileSource,
  Job,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  type OnTimerContext,
  OutputTag,
  StateDescriptors,
  Time,
  TumblingEventTimeWindows,
  type ValueState,
  WatermarkStrategy,
} from "@eddy/core";

export interface Order {
  orderId: string;
  customer: string;
  amount: number;
  ts: number;
}

export interface Tier {
  customer: string;
  tier: "gold" | "basic";
}

/** Throwing here sends the line to the dead letters (the job's errorHandling is "dead-letter"). */
export function parseOrder(json: unknown): Order {
  const o = json as { orderId: string; customer: string; amount: unknown; ts: string };
  if (typeof o.amount !== "number")
    throw new TypeError(`amount must be a number, not ${JSON.stringify(o.amount)}`);
  return { orderId: o.orderId, customer: o.customer, amount: o.amount, ts: Date.parse(o.ts) };
}

// --- keyed state and timers: each customer's spending, reported at the end of their day ----------
export class DailySpend implements KeyedProcessFunction<string, Order, string> {
  private total!: ValueState<number>;

  open(context: KeyedRuntimeContext): void {
    this.total = context.getState(StateDescriptors.value<number>("total", { defaultValue: 0 }));
  }

  processElement(order: Order, context: KeyedProcessContext<string>): void {
    this.total.update((this.total.value() ?? 0) + order.amount);
    const endOfDay = Math.floor(order.ts / Time.days(1) + 1) * Time.days(1);
    context.timerService().registerEventTimeTimer(endOfDay); // one timer per key and time
  }

  onTimer(time: number, context: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${context.currentKey()} spent ${this.total.value()} by ${new Date(time).toISOString()}`);
    this.total.clear();
  }
}

// --- connect: orders meet the customer's tier, kept in keyed state --------------------------------
export class FreeShipping implements KeyedCoProcessFunction<string, Order, Tier, string> {
  private tier!: ValueState<Tier["tier"]>;

  open(context: KeyedRuntimeContext): void {
    this.tier = context.getState(StateDescriptors.value<Tier["tier"]>("tier"));
  }

  processElement1(order: Order, _context: KeyedProcessContext<string>, out: Collector<string>): void {
    if (this.tier.value() === "gold" || order.amount >= 100) out.collect(`${order.orderId} ships free`);
  }

  processElement2(tier: Tier): void {
    this.tier.update(tier.tier);
  }
}

export const LATE_ORDERS = new OutputTag<Order>("late-orders");
export const BIG_ORDERS = new OutputTag<Order>("big-orders");

const job = Job.create({ name: "api-tour", errorHandling: "dead-letter", autoWatermarkIntervalMs: 0 });

// --- sources -------------------------------------------------------------------------------------
const orders = job
  .fromSource(
    FileSource.ndjson(fileURLToPath(new URL("data/orders.ndjson", import.meta.url)), { parse: parseOrder }),
    WatermarkStrategy.forBoundedOutOfOrderness<Order>(Time.minutes(5)).withTimestamp((o) => o.ts),
    "orders",
  )
  .uid("orders");
const tiers = job.fromElements<Tier>({ customer: "alice", tier: "gold" }, { customer: "bob", tier: "basic" });

// --- map, filter, flatMap ------------------------------------------------------------------------
const positive = orders.filter((o) => o.amount > 0).name("positive-amounts");
positive
  .map((o) => o.customer.toUpperCase())
  .flatMap<string>((name, out) => {
    if (name.startsWith("A")) out.collect(`${name} ordered`);
  })
  .print("flatMap");

// --- keyBy and process, with state and timers ----------------------------------------------------
positive
  .keyBy((o) => o.customer)
  .process(new DailySpend())
  .uid("daily-spend")
  .print("spend");

// --- windows with allowed lateness and a late-data side output -----------------------------------
const hourly = positive
  .keyBy((o) => o.customer)
  .window(TumblingEventTimeWindows.of(Time.hours(1)))
  .allowedLateness(Time.minutes(1))
  .sideOutputLateData(LATE_ORDERS)
  .reduce((a, b) => ({
    orderId: `${a.orderId}+${b.orderId}`,
    customer: a.customer,
    amount: a.amount + b.amount,
    ts: b.ts,
  }))
  .uid("hourly-totals");
hourly.map((o) => `${o.customer} ${o.orderId} ${o.amount}`).print("hourly");
hourly
  .getSideOutput(LATE_ORDERS)
  .map((o) => `${o.orderId} came too late`)
  .print("late");

// --- connect two streams, keyed the same way ----------------------------------------------------
positive
  .connect(tiers)
  .keyBy(
    (o) => o.customer,
    (t) => t.customer,
  )
  .process(new FreeShipping())
  .uid("free-shipping")
  .print("shipping");

// --- side outputs of your own --------------------------------------------------------------------
const checked = positive
  .process<Order>({
    processElement(order, context, out) {
      if (order.amount >= 1000) context.output(BIG_ORDERS, order);
      out.collect(order);
    },
  })
  .name("flag-big-orders");
checked
  .getSideOutput(BIG_ORDERS)
  .map((o) => `${o.orderId} is big: ${o.amount}`)
  .print("big");

// --- dead letters: records that failed anywhere, with where and why -----------------------------
job
  .deadLetters()
  .map((letter) => `${letter.position ?? letter.operatorUid}: ${letter.error}`)
  .print("dead");

export default job;
