/**
 * Builds the tasks one thread runs from the physical plan: for each of its subtasks, the chain's
 * operators wired output to input, record writers for outgoing exchanges, the input gate or the
 * source reader, keyed-state backends and timer services. Channels come from a provider, so the
 * same code deploys one thread (all channels local) or one of several workers.
 */

import type { OperatorSpec } from "../../api/logical-plan.ts";
import { DEAD_LETTER, type DeadLetter } from "../../api/output-tag.ts";
import type { RestoredOperatorState } from "../../checkpoint/restore.ts";
import type { SourceReader } from "../../connectors/api/source.ts";
import { errorMessage, RecordProcessingError } from "../../errors.ts";
import type { Exchange, JobVertex, PhysicalPlan } from "../../plan/physical-plan.ts";
import { HeapKeyedStateBackend } from "../../state/heap-keyed-state-backend.ts";
import { type KeyGroupRange, keyGroupRangeForSubtask } from "../../state/key-groups.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import { LmdbKeyedStateBackend, lmdbStateDir } from "../../state/lmdb-keyed-state-backend.ts";
import type { Clock } from "../../time/time.ts";
import type { ChannelReceiver, ChannelSender } from "../network/channel.ts";
import { type GateInput, InputGate } from "../network/input-gate.ts";
import { RecordWriter } from "../network/record-writer.ts";
import { ChainedInput, ChainOutput } from "../operators/chain-output.ts";
import {
  type AnyOperator,
  newOperatorMetrics,
  type OperatorContext,
  type Output,
} from "../operators/operator.ts";
import { createOperator } from "../operators/operator-factory.ts";
import { SinkOperator } from "../operators/sink-operator.ts";
import { SourceOperator } from "../operators/source-operator.ts";
import { InternalTimerService, type ProcessingTimeService } from "../operators/timer-service.ts";
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

async function deployTask(d: ThreadDeployment, vertex: JobVertex, subtask: number): Promise<Task> {
  const { plan } = d;
  const options = plan.options;
  const range = keyGroupRangeForSubtask(options.maxParallelism, vertex.parallelism, subtask);
  const processingTime: ProcessingTimeService = { now: () => d.clock.now(), timerAdded: () => d.wake() };
  const built = new Map<number, TaskOperator>();
  const writers: RecordWriter[] = [];
  const sinks: SinkOperator<unknown>[] = [];
  let sourceOperator: SourceOperator<unknown> | undefined;
  let sourceReader: SourceReader<unknown, any> | undefined;
  let setIdle: (idle: boolean) => void = () => {};

  // Build from the chain's end to its head, so every operator's consumers exist before it.
  for (let k = vertex.nodes.length - 1; k >= 0; k--) {
    const node = plan.nodes[vertex.nodes[k]];
    const metrics = newOperatorMetrics();
    const main: Output<unknown>[] = [];
    const side = new Map<string, Output<unknown>[]>();
    const addTarget = (tag: string | undefined, target: Output<unknown>) => {
      if (tag === undefined) main.push(target);
      else {
        const list = side.get(tag) ?? [];
        list.push(target);
        side.set(tag, list);
      }
    };
    for (const edge of plan.chainEdges)
      if (edge.from === node.id) {
        const consumer = built.get(edge.to)!;
        addTarget(edge.sideOutput, new ChainedInput(consumer.operator as never, consumer.metrics));
      }
    let context: OperatorContext;
    for (const exchange of vertex.outputs)
      if (exchange.from === node.id) {
        const to = plan.vertices[exchange.toVertex];
        const channels =
          exchange.type === "forward"
            ? [d.channels.sender(exchange, subtask, subtask)]
            : Array.from({ length: to.parallelism }, (_, j) => d.channels.sender(exchange, subtask, j));
        const writer = new RecordWriter(channels, {
          type: exchange.type,
          batchSize: options.batchSize,
          maxParallelism: options.maxParallelism,
          subtaskIndex: subtask,
          keySelector: exchange.keySelector,
          onKeyError: (error, value, ts) => context.recordFailed(error, value, ts),
        });
        writers.push(writer);
        addTarget(exchange.sideOutput, writer);
      }
    const output = new ChainOutput(metrics, main, side, d.onUnconsumedDeadLetter);
    const state = new OperatorStateHolder(node.uid, node.spec.kind, d.restore?.(node.uid, range));
    context = {
      jobName: plan.jobName,
      uid: node.uid,
      name: node.name,
      subtaskIndex: subtask,
      parallelism: vertex.parallelism,
      maxParallelism: options.maxParallelism,
      errorHandling: options.errorHandling,
      output,
      metrics,
      clock: d.clock,
      processingTime,
      keyedBackend: () => {
        if (node.keySelector === undefined)
          throw new RecordProcessingError(
            node.uid,
            node.name,
            undefined,
            "keyed state needs keyBy() before it",
          );
        if (state.backend === undefined) {
          const backend: KeyedStateBackend =
            options.stateBackend === "lmdb"
              ? new LmdbKeyedStateBackend(options.maxParallelism, range, d.clock, node.name, {
                  dir: lmdbStateDir(options.stateDir, plan.jobName, node.uid, subtask),
                })
              : new HeapKeyedStateBackend(options.maxParallelism, range, d.clock, node.name);
          state.attachBackend(backend);
        }
        return state.backend!;
      },
      timerService: (triggerable) => {
        const service = new InternalTimerService(context.keyedBackend(), triggerable, processingTime);
        state.attachTimerService(service);
        return service;
      },
      recordFailed: (error, record, timestamp, position) => {
        metrics.recordsFailed++;
        if (options.errorHandling === "fail")
          throw new RecordProcessingError(node.uid, node.name, record, error, position);
        const letter: DeadLetter = {
          operatorUid: node.uid,
          operatorName: node.name,
          error: errorMessage(error),
          record,
          ...(position === undefined ? {} : { position }),
          ...(Number.isFinite(timestamp) ? { timestamp } : {}),
        };
        output.collectSide(DEAD_LETTER.id, letter, timestamp);
      },
    };
    let operator: AnyOperator | SourceOperator<unknown>;
    if (node.spec.kind === "source") {
      const spec = node.spec as Extract<OperatorSpec, { kind: "source" }>;
      const nodeId = node.id;
      sourceReader = spec.source.createReader({
        subtaskIndex: subtask,
        parallelism: vertex.parallelism,
        operatorUid: node.uid,
        sendSplitRequest: () => d.splits.requestSplit(nodeId, subtask),
        signalAvailable: d.wake,
        currentProcessingTime: () => d.clock.now(),
      });
      sourceOperator = new SourceOperator(
        sourceReader,
        spec.watermarks,
        options.autoWatermarkIntervalMs,
        (idle) => setIdle(idle),
        options.farFutureWarningMs,
      );
      operator = sourceOperator;
      const reader = sourceReader;
      const source = sourceOperator;
      d.splits.registerReader(nodeId, subtask, {
        addSplits: (splits) => {
          // Every assigned split holds the watermark back from the moment it is assigned, not
          // only once the reader first reads it: otherwise records of a split read later are late.
          for (const split of splits) source.createOutputForSplit(split.splitId);
          reader.addSplits(splits);
          d.wake();
        },
        noMoreSplits: () => {
          reader.notifyNoMoreSplits();
          d.wake();
        },
      });
    } else {
      operator = createOperator(node, {
        collected: d.collected,
        autoWatermarkIntervalMs: options.autoWatermarkIntervalMs,
        farFutureWarningMs: options.farFutureWarningMs,
      });
      if (operator instanceof SinkOperator) sinks.push(operator);
    }
    built.set(node.id, {
      nodeId: node.id,
      uid: node.uid,
      name: node.name,
      operator,
      metrics,
      context,
      state,
    });
  }

  const operators = vertex.nodes.map((id) => built.get(id)!);
  const name = `${operators.map((o) => o.name).join(" -> ")} (${subtask + 1}/${vertex.parallelism})`;
  let input: Task["input"];
  if (sourceOperator !== undefined) {
    await sourceReader!.start();
    input = { kind: "source", source: sourceOperator };
  } else {
    const head = operators[0];
    const gateInputs: GateInput[] = [];
    for (const exchange of vertex.inputs) {
      const from = plan.vertices[exchange.fromVertex];
      const senders =
        exchange.type === "forward" ? [subtask] : Array.from({ length: from.parallelism }, (_, j) => j);
      for (const j of senders)
        gateInputs.push({
          receiver: d.channels.receiver(exchange, j, subtask),
          inputIndex: exchange.inputIndex,
        });
    }
    const headOperator = head.operator as AnyOperator;
    const gate = new InputGate(gateInputs, headOperator, {
      watermark: (wm) => headOperator.processWatermark(wm),
      idle: (idle) => setIdle(idle),
      barrier: (id, alignmentMs) => task.checkpoint(id, alignmentMs),
    });
    input = { kind: "gate", gate };
    const headMetrics = head.metrics;
    Object.defineProperty(headMetrics, "recordsIn", { get: () => gate.recordsIn, enumerable: true });
  }
  setIdle = (idle) => {
    for (const writer of writers) writer.emitIdle(idle);
  };
  const task = new Task(
    vertex.id,
    subtask,
    name,
    operators,
    writers,
    sinks,
    input,
    d.wake,
    options.batchTimeoutMs,
    vertex.parallelism,
  );
  task.checkpoints = d.checkpoints;
  return task;
}
