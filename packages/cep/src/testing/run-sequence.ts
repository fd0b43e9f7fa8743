/**
 * The matcher without a job: runs a pattern's NFA over one key's events, in the order given, as
 * event time. For tests and for trying a pattern out; the CEP operator does the same per key,
 * after sorting events by timestamp.
 */
import { compilePattern } from "../nfa/compiler.ts";
import { NfaRunner } from "../nfa/nfa-runner.ts";
import type { RawMatch } from "../nfa/shared-buffer.ts";
import type { Pattern } from "../pattern/pattern.ts";

export interface SequenceResult<E> {
  /** In emission order; each has a key for every positive stage (empty when it took none). */
  matches: Array<RawMatch<E>>;
  timeouts: Array<{ partial: RawMatch<E>; timestamp: number }>;
}

export interface SequenceOptions {
  /** Time to advance to after the last event (default +Infinity: every window passes). */
  finalTime?: number;
  maxPartialMatches?: number;
  /** What iterative conditions see as the processing time (default Date.now). */
  now?: () => number;
}

export function runSequence<E>(
  pattern: Pattern<E, any, any, any>,
  input: readonly { event: E; timestamp: number }[],
  options: SequenceOptions = {},
): SequenceResult<E> {
  const runner = new NfaRunner<E>(compilePattern(pattern), {
    maxPartialMatches: options.maxPartialMatches,
    now: options.now,
  });
  const result: SequenceResult<E> = { matches: [], timeouts: [] };
  const out = {
    match: (m: RawMatch<E>) => result.matches.push(m),
    timeout: (partial: RawMatch<E>, timestamp: number) => result.timeouts.push({ partial, timestamp }),
  };
  const state = runner.initialState();
  for (const { event, timestamp } of input) {
    runner.advanceTime(state, timestamp, out);
    runner.process(state, event, timestamp, out);
  }
  runner.advanceTime(state, options.finalTime ?? Number.POSITIVE_INFINITY, out);
  return result;
}
