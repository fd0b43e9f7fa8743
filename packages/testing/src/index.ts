/**
 * @eddy/testing: harnesses to test eddy operators and jobs deterministically. Operator harnesses
 * run one operator with a manual clock and explicit watermarks; the job harness runs whole jobs
 * in this thread and collects their output.
 */
export type { EmittedEvent } from "./captured-output.ts";
export type { OperatorHarnessOptions } from "./harness-context.ts";
export { HeldSource, type HoldOptions } from "./held-source.ts";
export { JobHarness, type JobTestOptions, JobTestResult, runJobForTest } from "./job-harness.ts";
export { KeyedOperatorHarness } from "./keyed-operator-harness.ts";
export { OneInputOperatorHarness } from "./one-input-operator-harness.ts";
export { OperatorHarness } from "./operator-harness.ts";
export { type KeyedStateAccess, OperatorHarnessBase } from "./operator-harness-base.ts";
export { SourceOperatorHarness } from "./source-operator-harness.ts";
export {
  fromTimestamped,
  type TestWatermarks,
  type TimestampedSourceOptions,
  timestamped,
  withTimestamps,
} from "./timestamped-input.ts";
export { TwoInputOperatorHarness } from "./two-input-operator-harness.ts";
