/**
 * Fraud detection, after Flink's DataStream walkthrough: a small transaction (under $1.00)
 * followed by a large one (over $500) on the same account within one minute raises an alert,
 * since thieves often test a stolen card with a tiny purchase first.
 *
 * A KeyedProcessFunction keeps, per account, a flag "the last transaction was small" and the
 * timer that clears it a minute later. Time is event time, the transactions' own timestamps, and
 * the watermark follows every record (autoWatermarkIntervalMs: 0), so the alerts are the same on
 * every run and at every parallelism.
 *
 *   npx eddy run examples/fraud-detection.ts
 *   npx eddy run examples/fraud-detection.ts --set transactions=100000
 */
import {
  type Collector,
  ConfigError,
  GeneratorSource,
  Job,
  type JobContext,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type KeyedRuntimeContext,
  StateDescriptors,
  Time,
  type ValueState,
  WatermarkStrategy,
} from "@eddy/core";

export interface Transaction {
  accountId: number;
  amount: number;
  timestamp: number;
}

export interface Alert {
  accountId: number;
  smallAmount: number;
  largeAmount: number;
  at: string;
}

const SMALL_AMOUNT = 1.0;
const LARGE_AMOUNT = 500.0;
const ONE_MINUTE = Time.minutes(1);

export class FraudDetector implements KeyedProcessFunction<number, Transaction, Alert> {
  /** The amount of the account's last transaction when it was small; empty otherwise. */
  private smallAmount!: ValueState<number>;
  /** When the flag expires, so that a new small transaction can move the timer. */
  private expiry!: ValueState<number>;

  open(context: KeyedRuntimeContext): void {
    this.smallAmount = context.getState(StateDescriptors.value<number>("small-amount"));
    this.expiry = context.getState(StateDescriptors.value<number>("flag-expiry"));
  }

  processElement(tx: Transaction, context: KeyedProcessContext<number>, out: Collector<Alert>): void {
    const small = this.smallAmount.value();
    if (small !== undefined) {
      if (tx.amount > LARGE_AMOUNT)
        out.collect({
          accountId: tx.accountId,
          smallAmount: small,
          largeAmount: tx.amount,
          at: new Date(tx.timestamp).toISOString(),
        });
      this.clear(context);
    }
    if (tx.amount < SMALL_AMOUNT) {
      this.smallAmount.update(tx.amount);
      const expiry = context.timestamp() + ONE_MINUTE;
      context.timerService().registerEventTimeTimer(expiry);
      this.expiry.update(expiry);
    }
  }

  onTimer(): void {
    // A minute passed since the small transaction: it no longer counts.
    this.smallAmount.clear();
    this.expiry.clear();
  }

  private clear(context: KeyedProcessContext<number>): void {
    const expiry = this.expiry.value();
    if (expiry !== undefined) context.timerService().deleteEventTimeTimer(expiry);
    this.smallAmount.clear();
    this.expiry.clear();
  }
}

const START = Date.UTC(2024, 0, 1);

/** Transaction `index`: accounts take turns, one transaction every 6 s; a few tiny, a few huge. */
export function transaction(
  index: number,
  random: { nextFloat(): number; nextFloatBetween(a: number, b: number): number },
): Transaction {
  const accountId = 1 + (index % 5);
  const p = random.nextFloat();
  const amount =
    p < 0.05
      ? random.nextFloatBetween(0.01, 1)
      : p > 0.95
        ? random.nextFloatBetween(500.01, 2000)
        : random.nextFloatBetween(1, 500);
  return { accountId, amount: Math.round(amount * 100) / 100, timestamp: START + index * 6_000 };
}

export default ({ config }: JobContext): Job => {
  const count = config.transactions ?? 10_000;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)
    throw new ConfigError(
      "transactions",
      `must be a whole number of transactions, not ${JSON.stringify(count)}`,
    );

  const job = Job.create({ name: "fraud-detection", autoWatermarkIntervalMs: 0 });
  job
    .fromSource(
      new GeneratorSource<Transaction>({ count, seed: 7, generate: transaction }),
      WatermarkStrategy.forMonotonousTimestamps<Transaction>().withTimestamp((tx) => tx.timestamp),
      "transactions",
    )
    .uid("transactions")
    // One reader, so that each account's transactions arrive in time order at any parallelism.
    .setParallelism(1)
    .keyBy((tx) => tx.accountId)
    .process(new FraudDetector())
    .uid("fraud-detector")
    .name("fraud-detector")
    .print("alert");
  return job;
};
