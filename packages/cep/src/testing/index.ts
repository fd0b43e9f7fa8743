/**
 * @eddy/cep/testing: trying patterns without a job. `runSequence` runs a pattern's NFA over one
 * key's events; `PatternTestHarness` runs the real CEP operator (keyed state, timers, event-time
 * buffering) with a manual clock and explicit watermarks. Needs @eddy/testing installed.
 */
export { type HarnessMatch, type HarnessTimeout, PatternTestHarness } from "./pattern-test-harness.ts";
export { runSequence, type SequenceOptions, type SequenceResult } from "./run-sequence.ts";
