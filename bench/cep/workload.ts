/**
 * The CEP benchmark's events and output rows, shared by the eddy jobs, the hand-written loop and
 * the tests.
 *
 * Events: users (keys) doing one of four kinds of thing, "a", "b", "c" or noise "x". Event `i`
 * depends on (seed, i) alone (the generator source's per-record random), so every
 * implementation, split and thread sees the same stream. Event time advances one millisecond
 * per event: event `i` of block `n = floor(i / B)` (B = 2^disorderBits) carries a timestamp in
 * [n·B, n·B + B) given by a bijective scramble of `i mod B`, so timestamps are unique (ties
 * would make the output depend on arrival order across source subtasks) and an event is never
 * more than B - 1 ms older than one seen before it: bounded out-of-orderness, B - 1 ms.
 *
 * Two workloads:
 *   - `cep-abc`: `a followedBy b followedBy c within(60 s)` over 10,000 users at 1,000 events/s
 *     of event time (one event per user every 10 s on average). Every "a" starts a partial
 *     match that either completes (first b after it, then the first c after that, within 60 s)
 *     or times out at a + 60 s: about half do each.
 *   - `cep-any`: `a followedByAny b.oneOrMore().allowCombinations() followedBy c within(...)`
 *     over few users, mostly b's: every b doubles the partial matches of a user, the case that
 *     `maxPartialMatchesPerKey` exists for.
 */
import type { SeededRandom } from "@eddy/core";
import type { RowDigest } from "../nexmark/row-digest.ts";

export type Kind = "a" | "b" | "c" | "x";

export interface CepEvent {
  /** The event's index in the stream (unique). */
  readonly id: number;
  readonly user: number;
  readonly kind: Kind;
  /** Event time (ms), unique over the stream. */
  readonly ts: number;
  /** Payload: an amount in cents. */
  readonly amount: number;
}

export interface CepWorkload {
  readonly name: "cep-abc" | "cep-any";
  readonly keys: number;
  /** Probabilities of "a", "b" and "c"; the rest is noise ("x"). */
  readonly pA: number;
  readonly pB: number;
  readonly pC: number;
  /** The pattern's within(), ms. */
  readonly windowMs: number;
  /** Events are up to 2^disorderBits - 1 ms out of order. */
  readonly disorderBits: number;
}

export const CEP_ABC: CepWorkload = {
  name: "cep-abc",
  keys: 10_000,
  pA: 0.1,
  pB: 0.3,
  pC: 0.3,
  windowMs: 60_000,
  disorderBits: 11,
};

/**
 * The followedByAny stress: 10 users, 100 events per second each (90 % b's, c's rare), in order.
 * Every b a user gets after an "a" doubles that user's partial matches (each one takes it or
 * skips it) until the 400 ms window closes: about 36 b's per window, far more than memory allows
 * without a cap (2^36 partial matches per "a").
 */
export const CEP_ANY: CepWorkload = {
  name: "cep-any",
  keys: 10,
  pA: 0.05,
  pB: 0.9,
  pC: 0.002,
  windowMs: 400,
  disorderBits: 0,
};

export const WORKLOADS: Readonly<Record<CepWorkload["name"], CepWorkload>> = {
  "cep-abc": CEP_ABC,
  "cep-any": CEP_ANY,
};

export function cepWorkload(name: string): CepWorkload {
  const w = WORKLOADS[name as CepWorkload["name"]];
  if (w === undefined) throw new Error(`no CEP workload ${name}: ${Object.keys(WORKLOADS).join(", ")}`);
  return w;
}

/** 2026-01-01T00:00:00Z: event time of event 0's block. */
export const BASE_TIME = 1_767_225_600_000;

/** The out-of-orderness of a workload's stream (ms): what its watermark strategy must allow. */
export const maxOutOfOrderness = (w: CepWorkload): number => (1 << w.disorderBits) - 1;

/** Event time of event `i`: its block's start plus a bijective scramble of its place in the block. */
export function eventTime(w: CepWorkload, seed: number, i: number): number {
  const bits = w.disorderBits;
  const mask = (1 << bits) - 1;
  const block = Math.floor(i / (mask + 1));
  // xor with a constant, multiply by an odd number, xor-shift right: each a bijection on [0, 2^bits)
  let x = (i & mask) ^ (Math.imul(block ^ seed, 0x9e3779b1) >>> 7);
  x = Math.imul(x & mask, 0x2c1b3c6d) & mask;
  x ^= x >>> ((bits + 1) >> 1);
  x = Math.imul(x, 0x297a2d39) & mask;
  return BASE_TIME + block * (mask + 1) + x;
}

/** Event `i`; `random` is the generator source's, seeded with (seed, i). */
export function cepEvent(w: CepWorkload, seed: number, i: number, random: SeededRandom): CepEvent {
  const user = random.nextUint32() % w.keys;
  const roll = random.nextUint32() / 4_294_967_296;
  const kind: Kind = roll < w.pA ? "a" : roll < w.pA + w.pB ? "b" : roll < w.pA + w.pB + w.pC ? "c" : "x";
  const amount = 1 + (random.nextUint32() % 100_000);
  return { id: i, user, kind, ts: eventTime(w, seed, i), amount };
}

// ---- output rows ----------------------------------------------------------------------------------

/**
 * One output row. cep-abc: a match (kind 0: a, b, c = the events' ids, ts = c's timestamp) or a
 * timed-out partial match (kind 1: b = -1 when it had no b, c = -1, ts = a's timestamp +
 * window). cep-any: a match (kind 0: a = a's id, b = how many b's, c = c's id, ts = the sum of
 * the b's ids, which tells the combinations apart).
 */
export interface CepRow {
  readonly kind: 0 | 1;
  readonly user: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly ts: number;
}

export const digestCepRow = (r: CepRow, d: RowDigest): void =>
  digestRow(d, r.kind, r.user, r.a, r.b, r.c, r.ts);

export function digestRow(
  d: RowDigest,
  kind: number,
  user: number,
  a: number,
  b: number,
  c: number,
  ts: number,
): void {
  d.begin().num(kind).num(user).num(a).num(b).num(c).num(ts).end();
}
