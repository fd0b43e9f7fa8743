/**
 * @eddy/core/internal: what eddy's sibling packages need from the runtime and that users do not:
 * the pieces @eddy/testing's harnesses run one operator with, outside a job, exactly as the
 * runtime's deployment runs it (the operator context factory, the operator interfaces and
 * factory, the source operator, timer services, keyed-state backends and key groups), and the
 * module URL the CLI runs a job file from on worker threads. Not part of the stable user API:
 * use the harnesses of @eddy/testing instead.
 */

// The logical plan as the API builds it (harnesses build one node by hand), the physical plan's
// parts, and helpers that tests of eddy's own packages reach for.
export type { LogicalNode, OperatorSpec, Partitioning, WindowSpec } from "./api/logical-plan.ts";
export { lastWindowStart, windowMaxTimestamp } from "./api/windows.ts";
export { isProcessAlive } from "./checkpoint/checkpoint-dir-lock.ts";
export { subtaskFilePath } from "./connectors/file-sink.ts";
export { formatRecord } from "./connectors/print-sink.ts";
export { describeRecord, errorMessage } from "./errors.ts";
export type { ChainEdge, Exchange, ExchangeType, JobVertex } from "./plan/physical-plan.ts";
export { attachRunningJob, defaultSavepointDir } from "./runtime/job/job-control.ts";
export { toModuleUrl } from "./runtime/job/job-module.ts";
export type { JobResultParts } from "./runtime/job/job-result.ts";
export { decideRestart, type RestartDecision } from "./runtime/job/restart-strategy.ts";
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
export { createOperatorContext, type OperatorContextParts } from "./runtime/task/operator-context.ts";
export { OperatorStateHolder } from "./runtime/task/operator-state.ts";
export { HeapKeyedStateBackend, StateTable } from "./state/heap-keyed-state-backend.ts";
export {
  assignToKeyGroup,
  hashKey,
  type KeyGroupRange,
  keyGroupRangeForSubtask,
} from "./state/key-groups.ts";
export type { KeyedStateBackend, KeyGroupStates, StateStore } from "./state/keyed-state-backend.ts";
