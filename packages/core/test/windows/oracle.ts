/**
 * A brute-force reference for event-time windows: given the records in arrival order and the
 * watermark after each, it computes every firing (key, window, which records) and every late
 * record straight from the definitions, with no timers and no incremental state worth the name.
 * Slow (quadratic) and meant to be obviously right; the window operator is checked against it.
 *
 * Time model (what the runtime does with `autoWatermarkIntervalMs: 0`): record i is processed
 * under the watermark left by record i - 1 (-Infinity before the first), then the watermark
 * becomes wm_i = max(ts_0..ts_i) - outOfOrderness - 1; after the last record it is +Infinity.
 *
 * Aligned windows, for a window W = [start, end) with max timestamp m = end - 1 and lateness L:
 * - record i is accepted by W if ts_i is in W and m + L > wm_{i-1} (W is not yet cleaned up);
 * - W fires on time at the first point where the watermark reaches m, with the records accepted
 *   so far, if there are any; each record accepted after that point fires W again at once, with
 *   every record accepted up to and including it;
 * - a record no window accepted is late if ts_i + L <= wm_{i-1} (one in no window at all,
 *   between sliding windows, is ignored unless it is late).
 *
 * Session windows (gap g) depend on what has been purged, so this keeps the set of live records
 * per key (accepted and not yet cleaned up) and defines everything by partitioning it: two
 * records are in one session when a chain of records links them with gaps <= g (Flink's windows
 * [t, t + g) merge when they overlap or touch). The session of [start, end) has
 * start = its first timestamp and end = its last timestamp + g.
 * - record i is accepted if its session among (live records + i) has m + L > wm_{i-1}; if that
 *   session's m <= wm_{i-1} it fires at once with its records;
 * - when the watermark advances from w to w', every live session with w < m <= w' fires, then
 *   every live session with m + L <= w' is purged (its records leave the live set);
 * - a record not accepted is late if ts_i + L <= wm_{i-1}.
 * This holds for any lateness: live sessions are exactly the connected components of the live
 * records, because the operator's windows only merge and a live window is never late.
 */

export interface OracleEvent {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
}

export type OracleWindows =
  | { readonly kind: "aligned"; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: "session"; readonly gap: number };

export interface OracleFiring {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  /** Ids of the records in the window when it fired, ascending. */
  readonly ids: number[];
}

export interface OracleResult {
  readonly firings: OracleFiring[];
  /** Ids of the late records (side output, or dropped without a tag), in arrival order. */
  readonly late: number[];
}

/** The watermark after each record: wm[i] for record i, plus +Infinity at the end. */
export function watermarksAfter(events: readonly OracleEvent[], outOfOrderness: number): number[] {
  const wms: number[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    max = Math.max(max, e.ts);
    wms.push(max - outOfOrderness - 1);
  }
  wms.push(Number.POSITIVE_INFINITY);
  return wms;
}

export function windowOracle(
  events: readonly OracleEvent[],
  windows: OracleWindows,
  outOfOrderness: number,
  lateness: number,
): OracleResult {
  return windowOracleWithWatermarks(events, windows, lateness, watermarksAfter(events, outOfOrderness));
}

/**
 * The same with the watermarks given: `wms[i]` after record i (non-decreasing), and one more
 * for the end (+Infinity for bounded input). Processing-time tests use it with arrival times as
 * timestamps and the times the clock was advanced to as watermarks.
 */
export function windowOracleWithWatermarks(
  events: readonly OracleEvent[],
  windows: OracleWindows,
  lateness: number,
  wms: readonly number[],
): OracleResult {
  /** The watermark record i is processed under. */
  const before = (i: number) => (i === 0 ? Number.NEGATIVE_INFINITY : wms[i - 1]);
  return windows.kind === "aligned"
    ? alignedOracle(events, windows, lateness, wms, before)
    : sessionOracle(events, windows.gap, lateness, wms, before);
}

/** Every start of a window of this size, slide and offset that holds ts, by trying them all. */
export function alignedWindowsOf(ts: number, size: number, slide: number, offset: number): number[] {
  const starts: number[] = [];
  for (let start = ts - size + 1; start <= ts; start++)
    if (mod(start - offset, slide) === 0) starts.push(start);
  return starts;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function alignedOracle(
  events: readonly OracleEvent[],
  windows: { size: number; slide: number; offset: number },
  lateness: number,
  wms: readonly number[],
  before: (i: number) => number,
): OracleResult {
  const late: number[] = [];
  // key + window start -> indexes of the accepted records, ascending
  const accepted = new Map<string, { key: string; start: number; indexes: number[] }>();
  events.forEach((e, i) => {
    let any = false;
    for (const start of alignedWindowsOf(e.ts, windows.size, windows.slide, windows.offset)) {
      const maxTimestamp = start + windows.size - 1;
      if (maxTimestamp + lateness <= before(i)) continue;
      any = true;
      const id = JSON.stringify([e.key, start]);
      const entry = accepted.get(id) ?? { key: e.key, start, indexes: [] };
      entry.indexes.push(i);
      accepted.set(id, entry);
    }
    if (!any && e.ts + lateness <= before(i)) late.push(e.id);
  });
  const firings: OracleFiring[] = [];
  for (const { key, start, indexes } of accepted.values()) {
    const end = start + windows.size;
    // The first point (a record's index, or events.length for the final watermark) where the
    // watermark reaches the window's max timestamp.
    const reached = wms.findIndex((wm) => wm >= end - 1);
    if (reached < 0) continue; // never reached: the window never fires
    const onTime = indexes.filter((i) => i <= reached);
    if (onTime.length > 0) firings.push(firing(events, key, start, end, onTime));
    for (const i of indexes)
      if (i > reached)
        firings.push(
          firing(
            events,
            key,
            start,
            end,
            indexes.filter((j) => j <= i),
          ),
        );
  }
  return { firings, late };
}

function sessionOracle(
  events: readonly OracleEvent[],
  gap: number,
  lateness: number,
  wms: readonly number[],
  before: (i: number) => number,
): OracleResult {
  const late: number[] = [];
  const firings: OracleFiring[] = [];
  const live = new Map<string, number[]>();
  const sessionsOf = (indexes: readonly number[]) => partition(events, indexes, gap);

  const advance = (from: number, to: number) => {
    for (const [key, indexes] of live) {
      const sessions = sessionsOf(indexes);
      for (const s of sessions)
        if (s.end - 1 > from && s.end - 1 <= to) firings.push(firing(events, key, s.start, s.end, s.indexes));
      const purged = new Set(sessions.filter((s) => s.end - 1 + lateness <= to).flatMap((s) => s.indexes));
      live.set(
        key,
        indexes.filter((i) => !purged.has(i)),
      );
    }
  };

  events.forEach((e, i) => {
    const wm = before(i);
    const candidates = [...(live.get(e.key) ?? []), i];
    const session = sessionsOf(candidates).find((s) => s.indexes.includes(i))!;
    if (session.end - 1 + lateness > wm) {
      live.set(e.key, candidates);
      if (session.end - 1 <= wm)
        firings.push(firing(events, e.key, session.start, session.end, session.indexes));
    } else if (e.ts + lateness <= wm) late.push(e.id);
    if (wms[i] > wm) advance(wm, wms[i]);
  });
  advance(events.length === 0 ? Number.NEGATIVE_INFINITY : wms[events.length - 1], wms[events.length]);
  return { firings, late };
}

/** Splits records into sessions: sorted by time, a gap > `gap` between neighbours starts a new one. */
function partition(
  events: readonly OracleEvent[],
  indexes: readonly number[],
  gap: number,
): { start: number; end: number; indexes: number[] }[] {
  const sorted = [...indexes].sort((a, b) => events[a].ts - events[b].ts);
  const sessions: { start: number; end: number; indexes: number[] }[] = [];
  for (const i of sorted) {
    const ts = events[i].ts;
    const current = sessions.at(-1);
    if (current !== undefined && ts <= current.end) {
      current.indexes.push(i);
      current.end = Math.max(current.end, ts + gap);
    } else sessions.push({ start: ts, end: ts + gap, indexes: [i] });
  }
  return sessions;
}

function firing(events: readonly OracleEvent[], key: string, start: number, end: number, indexes: number[]) {
  return { key, start, end, ids: indexes.map((i) => events[i].id).sort((a, b) => a - b) };
}
