/**
 * What a running job reports about itself: per operator (summed over its subtasks) the records
 * in and out, failures, and the lowest watermark; plus source progress for bounded input.
 */
import type { Source } from "../../connectors/api/source.ts";
import type { PhysicalPlan } from "../../plan/physical-plan.ts";
import type { OperatorMetrics } from "../operators/operator.ts";
import type { Task } from "../task/task.ts";

export interface OperatorProgress {
  readonly nodeId: number;
  readonly uid: string;
  readonly name: string;
  readonly kind: string;
  readonly parallelism: number;
  recordsIn: number;
  recordsOut: number;
  recordsFailed: number;
  /** Lowest watermark over the subtasks that reported one. */
  watermark: number;
  /** User metrics (RuntimeContext.metrics), summed over subtasks. */
  metrics: Record<string, number>;
}

export interface JobProgress {
  readonly jobName: string;
  readonly elapsedMs: number;
  readonly operators: OperatorProgress[];
  /** Records the bounded sources expect in total, when they know. */
  readonly expectedSourceRecords: number | undefined;
  deadLetters: number;
}

export function emptyProgress(plan: PhysicalPlan): OperatorProgress[] {
  return plan.nodes.map((n) => ({
    nodeId: n.id,
    uid: n.uid,
    name: n.name,
    kind: n.spec.kind,
    parallelism: plan.parallelism[n.id],
    recordsIn: 0,
    recordsOut: 0,
    recordsFailed: 0,
    watermark: Number.POSITIVE_INFINITY,
    metrics: {},
  }));
}

/** Per (node, subtask) metrics of the tasks of one thread, in a form that can cross threads. */
export type MetricsSample = [
  nodeId: number,
  recordsIn: number,
  recordsOut: number,
  failed: number,
  watermark: number,
  user: Array<[string, number]> | undefined,
][];

export function sampleTasks(tasks: readonly Task[]): MetricsSample {
  const sample: MetricsSample = [];
  for (const task of tasks) for (const op of task.operators) sample.push(metricsRow(op.nodeId, op.metrics));
  return sample;
}

function metricsRow(nodeId: number, m: OperatorMetrics): MetricsSample[number] {
  let user: Array<[string, number]> | undefined;
  if (m.user.size > 0) {
    user = [];
    for (const [name, read] of m.user) user.push([name, read()]);
  }
  return [nodeId, m.recordsIn, m.recordsOut, m.recordsFailed, m.currentWatermark, user];
}

export function aggregateSamples(plan: PhysicalPlan, samples: readonly MetricsSample[]): OperatorProgress[] {
  const result = emptyProgress(plan);
  for (const sample of samples)
    for (const [nodeId, recordsIn, recordsOut, failed, watermark, user] of sample) {
      const p = result[nodeId];
      if (user !== undefined)
        for (const [name, value] of user) p.metrics[name] = (p.metrics[name] ?? 0) + value;
      p.recordsIn += recordsIn;
      p.recordsOut += recordsOut;
      p.recordsFailed += failed;
      if (watermark < p.watermark) p.watermark = watermark;
    }
  for (const p of result) if (p.kind === "source") p.recordsIn = p.recordsOut;
  return result;
}

/** The records the bounded sources expect in total, when every source says. */
export function expectedRecords(plan: PhysicalPlan): number | undefined {
  let total = 0;
  for (const node of plan.nodes) {
    if (node.spec.kind !== "source") continue;
    const source = node.spec.source as Source<unknown>;
    if (source.boundedness !== "bounded" || source.estimatedRecords === undefined) return undefined;
    total += source.estimatedRecords;
  }
  return total;
}
