/**
 * Builds the tasks one thread runs from the physical plan: for each of its subtasks, the chain's
 * operators wired output to input, record writers for outgoing exchanges, the input gate or the
 * source reader, keyed-state backends and timer services. Channels come from a provider, so the
 * same code deploys one thread (all channels local) or one of several workers.
 */

import type { LogicalNode, OperatorSpec } from "../../api/logical-plan.ts";
import type { DeadLetter } from "../../api/output-tag.ts";
import type { RestoredOperatorState } from "../../checkpoint/restore.ts";
import type { SourceReader } from "../../connectors/api/source-reader.ts";
import type { Exchange, JobVertex, PhysicalPlan } from "../../plan/physical-plan.ts";
import { type KeyGroupRange, keyGroupRangeForSubtask } from "../../state/key-groups.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import { resolveStateBackend } from "../../state/state-backend-factory.ts";
import type { Clock } from "../../time/time.ts";
import type { ChannelReceiver, ChannelSender } from "../network/channel.ts";
import type { GateInput } from "../network/input-gate.ts";
import { RecordWriter } from "../network/record-writer.ts";
import { ChainedInput, ChainOutput } from "../operators/chain-output.ts";
import { type AnyOperator, newOperatorMetrics, type OperatorContext } from "../operators/operator.ts";
import { createOperator } from "../operators/operator-factory.ts";
import { SinkOperator } from "../operators/sink-operator.ts";
import { SourceOperator } from "../operators/source-operator.ts";
import type { ProcessingTimeService } from "../operators/timer-service.ts";
import { createOperatorContext } from "./operator-context.ts";
import { OperatorStateHolder } from "./operator-state.ts";
import type { SplitGateway } from "./split-coordination.ts";
import { Task, type TaskOperator } from "./task.ts";
import type { CheckpointGateway } from "./task-checkpointing.ts";

export interface ChannelProvider {
  sender(exchange: Exchange, from: number, to: number): ChannelSender;
  receiver(exchange: Exchange, from: number, to: number): ChannelReceiver;
}

export interface ThreadDeployment {
  readonly plan: PhysicalPlan;
  /** Whether this thread runs the given subtask. */
  readonly runs: (vertex: JobVertex, subtask: number) => boolean;
  readonly channels: ChannelProvider;
  readonly splits: SplitGateway;
  readonly clock: Clock;
  readonly wake: () => void;
  readonly collected: Map<string, unknown[]>;
  /** Dead letters nobody consumes: logged and counted, never silently lost. */
  readonly onUnconsumedDeadLetter: (letter: DeadLetter) => void;
  /** Where tasks write and acknowledge checkpoints; absent when checkpointing is off. */
  readonly checkpoints?: CheckpointGateway;
  /** State restored from a checkpoint, by operator uid, for a subtask's key-group range. */
  readonly restore?: (uid: string, range: KeyGroupRange) => RestoredOperatorState | undefined;
}

export async function deployTasks(d: ThreadDeployment): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const vertex of d.plan.vertices)
    for (let i = 0; i < vertex.parallelism; i++)
      if (d.runs(vertex, i)) tasks.push(await deployTask(d, vertex, i));
  return tasks;
}

/** What the operators of one subtask share: its key groups, processing time, writers and sinks. */
interface SubtaskScope {
  readonly d: ThreadDeployment;
  readonly vertex: JobVertex;
  readonly subtask: number;
  readonly range: KeyGroupRange;
  readonly processingTime: ProcessingTimeService;
  /** Filled as the chain is built, from its end to its head. */
  readonly writers: RecordWriter[];
  readonly sinks: SinkOperator<unknown>[];
}

async function deployTask(d: ThreadDeployment, vertex: JobVertex, subtask: number): Promise<Task> {
  const { plan } = d;
  const scope: SubtaskScope = {
    d,
    vertex,
    subtask,
    range: keyGroupRangeForSubtask(plan.options.maxParallelism, vertex.parallelism, subtask),
    processingTime: { now: () => d.clock.now(), timerAdded: () => d.wake() },
    writers: [],
    sinks: [],
  };
  const built = new Map<number, TaskOperator>();
  // From the chain's end to its head, so every operator's consumers exist before it.
  for (let k = vertex.nodes.length - 1; k >= 1; k--) {
    const node = plan.nodes[vertex.nodes[k]];
    built.set(node.id, deployOperator(scope, node, built));
  }
  const headNode = plan.nodes[vertex.nodes[0]];
  const source = headNode.spec.kind === "source" ? deploySource(scope, headNode, built) : undefined;
  built.set(headNode.id, source?.head ?? deployOperator(scope, headNode, built));
  const operators = vertex.nodes.map((id) => built.get(id)!);
  if (source !== undefined) await source.reader.start();
  const name = `${operators.map((o) => o.name).join(" -> ")} (${subtask + 1}/${vertex.parallelism})`;
  return new Task(
    vertex.id,
    subtask,
    name,
    operators,
    scope.writers,
    scope.sinks,
    source === undefined
      ? { kind: "gate", inputs: gateInputs(d, vertex, subtask) }
      : { kind: "source", source: source.operator },
    d.wake,
    plan.options.batchTimeoutMs,
    vertex.parallelism,
    d.checkpoints,
  );
}

/** An operator other than a source, made by the operator factory. */
function deployOperator(
  scope: SubtaskScope,
  node: LogicalNode,
  built: ReadonlyMap<number, TaskOperator>,
): TaskOperator {
  return wireOperator(scope, node, built, () => {
    const operator = createOperator(node, {
      collected: scope.d.collected,
      autoWatermarkIntervalMs: scope.d.plan.options.autoWatermarkIntervalMs,
      farFutureWarningMs: scope.d.plan.options.farFutureWarningMs,
    });
    if (operator instanceof SinkOperator) scope.sinks.push(operator);
    return operator;
  });
}

/**
 * The operator `make` builds, with its context, its state and its output wired to its consumers:
 * the chained operators after it (already built) and the writers of its outgoing exchanges.
 */
function wireOperator(
  scope: SubtaskScope,
  node: LogicalNode,
  built: ReadonlyMap<number, TaskOperator>,
  make: () => AnyOperator | SourceOperator<unknown>,
): TaskOperator {
  const { d, vertex, subtask } = scope;
  const options = d.plan.options;
  const metrics = newOperatorMetrics();
  const output = new ChainOutput(metrics, d.onUnconsumedDeadLetter);
  const state = new OperatorStateHolder(node.uid, node.spec.kind, d.restore?.(node.uid, scope.range));
  const context = createOperatorContext({
    jobName: d.plan.jobName,
    uid: node.uid,
    name: node.name,
    subtaskIndex: subtask,
    parallelism: vertex.parallelism,
    maxParallelism: options.maxParallelism,
    errorHandling: options.errorHandling,
    output,
    metrics,
    clock: d.clock,
    processingTime: scope.processingTime,
    state,
    createKeyedBackend: node.keySelector === undefined ? undefined : () => keyedBackend(scope, node),
  });
  for (const edge of d.plan.chainEdges)
    if (edge.from === node.id) {
      const consumer = built.get(edge.to)!;
      output.connect(edge.sideOutput, new ChainedInput(consumer.operator as never, consumer.metrics));
    }
  for (const exchange of vertex.outputs)
    if (exchange.from === node.id) {
      const writer = recordWriter(scope, exchange, context);
      scope.writers.push(writer);
      output.connect(exchange.sideOutput, writer);
    }
  const operator = make();
  return { nodeId: node.id, uid: node.uid, name: node.name, operator, metrics, context, state };
}

function recordWriter(scope: SubtaskScope, exchange: Exchange, context: OperatorContext): RecordWriter {
  const { d, subtask } = scope;
  const to = d.plan.vertices[exchange.toVertex];
  const channels =
    exchange.type === "forward"
      ? [d.channels.sender(exchange, subtask, subtask)]
      : Array.from({ length: to.parallelism }, (_, j) => d.channels.sender(exchange, subtask, j));
  return new RecordWriter(channels, {
    type: exchange.type,
    batchSize: d.plan.options.batchSize,
    maxParallelism: d.plan.options.maxParallelism,
    subtaskIndex: subtask,
    keySelector: exchange.keySelector,
    onKeyError: (error, value, ts) => context.recordFailed(error, value, ts),
  });
}

function keyedBackend(scope: SubtaskScope, node: LogicalNode): KeyedStateBackend {
  const { d, range, subtask } = scope;
  const options = d.plan.options;
  return resolveStateBackend(options.stateBackend).createKeyedStateBackend({
    jobName: d.plan.jobName,
    operatorUid: node.uid,
    operatorName: node.name,
    subtaskIndex: subtask,
    maxParallelism: options.maxParallelism,
    range,
    clock: d.clock,
    stateDir: options.stateDir,
  });
}

/**
 * The chain's head when it is a source: its reader (started by the caller), registered with the
 * source's enumerator, and the source operator around it, which reports the whole task idle or
 * active through every writer of the chain (all built by then: the head is built last).
 */
function deploySource(scope: SubtaskScope, node: LogicalNode, built: ReadonlyMap<number, TaskOperator>) {
  const { d, vertex, subtask } = scope;
  const spec = node.spec as Extract<OperatorSpec, { kind: "source" }>;
  const reader: SourceReader<unknown, any> = spec.source.createReader({
    subtaskIndex: subtask,
    parallelism: vertex.parallelism,
    operatorUid: node.uid,
    sendSplitRequest: () => d.splits.requestSplit(node.id, subtask),
    signalAvailable: d.wake,
    currentProcessingTime: () => d.clock.now(),
  });
  const writers = scope.writers;
  const head = wireOperator(
    scope,
    node,
    built,
    () =>
      new SourceOperator(
        reader,
        spec.watermarks,
        d.plan.options.autoWatermarkIntervalMs,
        (idle) => {
          for (const writer of writers) writer.emitIdle(idle);
        },
        d.plan.options.farFutureWarningMs,
      ),
  );
  const operator = head.operator as SourceOperator<unknown>;
  d.splits.registerReader(node.id, subtask, {
    addSplits: (splits) => {
      // Every assigned split holds the watermark back from the moment it is assigned, not
      // only once the reader first reads it: otherwise records of a split read later are late.
      for (const split of splits) operator.createOutputForSplit(split.splitId);
      reader.addSplits(splits);
      d.wake();
    },
    noMoreSplits: () => {
      reader.notifyNoMoreSplits();
      d.wake();
    },
  });
  return { head, operator, reader };
}

/** One input per channel into this subtask: from the same subtask (forward) or from every one. */
function gateInputs(d: ThreadDeployment, vertex: JobVertex, subtask: number): GateInput[] {
  const inputs: GateInput[] = [];
  for (const exchange of vertex.inputs) {
    const from = d.plan.vertices[exchange.fromVertex];
    const senders =
      exchange.type === "forward" ? [subtask] : Array.from({ length: from.parallelism }, (_, j) => j);
    for (const j of senders)
      inputs.push({ receiver: d.channels.receiver(exchange, j, subtask), inputIndex: exchange.inputIndex });
  }
  return inputs;
}
