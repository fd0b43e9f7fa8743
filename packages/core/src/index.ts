/**
 * @eddy/core: stateful stream processing for TypeScript. The DataStream API, the planner, the
 * runtime (chains, exchanges, worker threads), keyed state and the built-in connectors.
 */
export {
  CollectHandle,
  ConnectedStreams,
  DataStream,
  KeyedConnectedStreams,
  KeyedStream,
  WindowedStream,
} from "./api/data-stream.ts";
export type * from "./api/functions.ts";
export { type ErrorHandling, Job, type JobOptions, type StateBackendChoice } from "./api/job.ts";
export { DEAD_LETTER, type DeadLetter, OutputTag } from "./api/output-tag.ts";
export * from "./api/state.ts";
export {
  type AlignedWindowAssigner,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  type ProcessWindowFunction,
  type SessionWindowAssigner,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type WindowAssigner,
  type WindowContext,
} from "./api/windows.ts";
export type { CheckpointOptions, CompletedCheckpoint } from "./checkpoint/checkpoint-coordinator.ts";
export { RestoreCompatibilityError } from "./checkpoint/compatibility.ts";
export { describeSavepoint, readSavepoint, type SavepointDescription } from "./checkpoint/savepoint.ts";
export * from "./connectors/index.ts";
export {
  CheckpointDirectoryLockedError,
  ConfigError,
  ConfigurationChangedError,
  EddyError,
  JobDefinitionError,
  JobFailedError,
  JobModuleError,
  NoUsableCheckpointError,
  RecordProcessingError,
  SavepointNotFoundError,
  SinkNeedsCheckpointsError,
  StateBackendNotRegisteredError,
  UnknownConfigKeyError,
  UnusableDirectoryError,
} from "./errors.ts";
export { explainPlan, planToMermaid } from "./plan/explain.ts";
export { type PhysicalPlan, type PlanOverrides, planJob } from "./plan/physical-plan.ts";
export { JobControl } from "./runtime/job/job-control.ts";
export { eventTimeWarnings, type JobProgress, type OperatorProgress } from "./runtime/job/job-metrics.ts";
export { type JobContext, type JobFactory, type JobModule, loadJobModule } from "./runtime/job/job-module.ts";
export { type ChannelStats, JobResult } from "./runtime/job/job-result.ts";
export type { RestartStrategy } from "./runtime/job/restart-strategy.ts";
export { runJob, runJobModule } from "./runtime/job/run-job.ts";
export type { ModuleRunOptions, RunOptions } from "./runtime/job/run-options.ts";
export {
  type Clock,
  MAX_WATERMARK,
  ManualClock,
  MIN_WATERMARK,
  NO_TIMESTAMP,
  systemClock,
  Time,
} from "./time/time.ts";
export {
  ManualTimerService,
  systemTimers,
  type TimerHandle,
  type TimerService,
} from "./time/timer-service.ts";
export {
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
  WatermarkStrategy,
} from "./time/watermark-strategy.ts";
