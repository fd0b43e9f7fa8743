/**
 * The CEP operator's metrics, one set per subtask, reported as the operator's `cep.*` metrics.
 *
 * Two are gauges of what the subtask holds: live partial matches and events waiting for the
 * watermark. After a restore the subtask's keys come back with partial matches and buffered
 * events it has not counted; each key is counted when the operator first reads its state, so a
 * gauge never goes negative and never counts a key twice. Which keys are counted is the
 * subtask's own, in memory (a restore starts it afresh), never in the persisted state; a key
 * leaves the set when its state is cleared, so the set holds only keys with state.
 */
import type { Key, MetricGroup } from "@eddy/core";

export interface CepStats {
  matches: number;
  timeouts: number;
  lateEvents: number;
  /** Events waiting for the watermark (event time). */
  bufferedEvents: number;
  discardedByCap: number;
  /** Live partial matches over all keys (including completed ones held for a skip strategy). */
  partialMatches: number;
}

export class CepMetrics {
  readonly stats: CepStats = {
    matches: 0,
    timeouts: 0,
    lateEvents: 0,
    bufferedEvents: 0,
    discardedByCap: 0,
    partialMatches: 0,
  };
  /** Keys whose stored partial matches `stats.partialMatches` includes. */
  private readonly partialsCounted = new Set<Key>();
  /** Keys whose buffered events `stats.bufferedEvents` includes. */
  private readonly bufferCounted = new Set<Key>();

  constructor(group: MetricGroup) {
    const stats = this.stats;
    for (const name of Object.keys(stats) as Array<keyof CepStats>)
      group.gauge(`cep.${name}`, () => stats[name]);
  }

  /** A key's stored partial matches were read: counted now if they were not. */
  partialsLoaded(key: Key, count: number): void {
    if (this.partialsCounted.has(key)) return;
    this.stats.partialMatches += count;
    this.partialsCounted.add(key);
  }

  /** A key's partial matches went from `before` (as loaded, 0 for a new key) to `after` and were stored. */
  partialsStored(key: Key, before: number, after: number): void {
    this.stats.partialMatches += after - before;
    if (after === 0) this.partialsCounted.delete(key);
    else this.partialsCounted.add(key);
  }

  /** A key's buffered events were read: counted now if they were not. */
  bufferLoaded(key: Key, count: number): void {
    if (this.bufferCounted.has(key)) return;
    this.stats.bufferedEvents += count;
    this.bufferCounted.add(key);
  }

  /** Events were added to (`delta` > 0) or fed from a key's buffer; `remaining` are left. */
  bufferChanged(key: Key, delta: number, remaining: number): void {
    this.stats.bufferedEvents += delta;
    if (remaining === 0) this.bufferCounted.delete(key);
    else this.bufferCounted.add(key);
  }
}
