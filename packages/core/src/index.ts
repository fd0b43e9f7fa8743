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
export { type ErrorHandling, Job, type JobOptions, type ResolvedJobOptions } from "./api/job.ts";
export type { LogicalNode, OperatorSpec, Partitioning, WindowSpec } from "./api/logical-plan.ts";
export { DEAD_LETTER, type DeadLetter, OutputTag } from "./api/output-tag.ts";
export * from "./api/state.ts";
export * from "./api/windows.ts";
export type { CheckpointOptions, CompletedCheckpoint } from "./checkpoint/checkpoint-coordinator.ts";
export { RestoreCompatibilityError } from "./checkpoint/compatibility.ts";
export { describeSavepoint, readSavepoint, type SavepointDescription } from "./checkpoint/savepoint.ts";
export * from "./connectors/index.ts";
export * from "./errors.ts";
export { explainPlan, planToMermaid } from "./plan/explain.ts";
export {
  type ChainEdge,
  type Exchange,
  type ExchangeType,
  type JobVertex,
  type PhysicalPlan,
  type PlanOverrides,
  planJob,
} from "./plan/physical-plan.ts";
export { defaultSavepointDir, JobControl } from "./runtime/job/job-control.ts";
export { eventTimeWarnings, type JobProgress, type OperatorProgress } from "./runtime/job/job-metrics.ts";
export { type JobContext, type JobFactory, loadJobModule } from "./runtime/job/job-module.ts";
export { decideRestart, type RestartDecision, type RestartStrategy } from "./runtime/job/restart-strategy.ts";
export {
  type ChannelStats,
  JobResult,
  type JobResultParts,
  type RunOptions,
  runJob,
} from "./runtime/job/run-job.ts";
export { type ModuleRunOptions, runJobModule } from "./runtime/job/worker-runner.ts";
// ---------------------------------------------------------------------------------------------
// Testing support: what @eddy/testing needs to run one operator outside a job (its harnesses
// build an OperatorContext around an operator the way the runtime's deployment does). Not part
// of the stable user API; use the harnesses in @eddy/testing instead.
// ---------------------------------------------------------------------------------------------
export {
  type AnyOperator,
  newOperatorMetrics,
  type OneInputOperator,
  type OperatorContext,
  type OperatorMetrics,
  type Output,
  type StreamOperator,
  type TwoInputOperator,
} from "./runtime/operators/operator.ts";
export { createOperator, type OperatorFactoryContext } from "./runtime/operators/operator-factory.ts";
export { SourceOperator } from "./runtime/operators/source-operator.ts";
export {
  InternalTimerService,
  type ProcessingTimeService,
  type Timer,
  type Triggerable,
} from "./runtime/operators/timer-service.ts";
export { HeapKeyedStateBackend, StateTable } from "./state/heap-keyed-state-backend.ts";
export {
  assignToKeyGroup,
  hashKey,
  type KeyGroupRange,
  keyGroupRangeForSubtask,
} from "./state/key-groups.ts";
export type { KeyedStateBackend, KeyGroupStates, StateStore } from "./state/keyed-state-backend.ts";
export { LmdbKeyedStateBackend, type LmdbStateOptions } from "./state/lmdb-keyed-state-backend.ts";
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
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
  WatermarkStrategy,
} from "./time/watermark-strategy.ts";
