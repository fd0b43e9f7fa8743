/**
 * Test support for patterns. `runSequence` runs a pattern over one key's events without a job;
 * `PatternTestHarness` (in pattern-test-harness.ts) runs the real CEP operator.
 */
export { runSequence, type SequenceOptions, type SequenceResult } from "./run-sequence.ts";
