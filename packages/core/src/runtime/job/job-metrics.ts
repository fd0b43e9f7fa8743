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
  /** Records that went to the dead-letter output. */
  recordsFailed: number;
  /** Records a window dropped as late ("late, dropped"): no failures, and no dead letters. */
  lateDropped?: number;
  /**
   * The first record far ahead of every timestamp before it (job option farFutureWarningMs), as
   * [timestamp, ms ahead]; it moved the watermark that far.
   */
  farFuture?: [timestamp: number, aheadMs: number];
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
    lateDropped: 0,
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
  lateDropped: number,
  farFutureTimestamp: number,
  farFutureAheadMs: number,
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
  return [
    nodeId,
    m.recordsIn,
    m.recordsOut,
    m.recordsFailed,
    m.currentWatermark,
    user,
    m.lateRecordsDropped,
    m.farFutureTimestamp,
    m.farFutureAheadMs,
  ];
}

export function aggregateSamples(plan: PhysicalPlan, samples: readonly MetricsSample[]): OperatorProgress[] {
  const result = emptyProgress(plan);
  for (const sample of samples)
    for (const [nodeId, recordsIn, recordsOut, failed, watermark, user, late, future, ahead] of sample) {
      const p = result[nodeId];
      p.lateDropped = (p.lateDropped ?? 0) + late;
      if (!Number.isNaN(future) && (p.farFuture === undefined || future < p.farFuture[0]))
        p.farFuture = [future, ahead];
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

/**
 * Warnings about event time a finished (or running) job deserves: a window that dropped more than
 * `lateDropWarningRatio` of its input as late, and a record far ahead of the timestamps before it
 * (which moved the watermark that far). Pure: the runner or the CLI prints them.
 */
export function eventTimeWarnings(
  operators: readonly OperatorProgress[],
  options: { readonly lateDropWarningRatio: number; readonly farFutureWarningMs: number },
): string[] {
  const warnings: string[] = [];
  for (const op of operators) {
    if (op.farFuture !== undefined) {
      const [timestamp, ahead] = op.farFuture;
      warnings.push(
        `operator '${op.name}' (uid '${op.uid}') read a record with timestamp ${timestamp} ` +
          `(${describeTime(timestamp)}), ${describeSpan(ahead)} ahead of every timestamp before it: ` +
          "it moves the watermark that far, and the records after it are late; check the timestamp " +
          `assigner and the data (job option farFutureWarningMs, now ${options.farFutureWarningMs} ms, sets the bound)`,
      );
    }
    const late = op.lateDropped ?? 0;
    if (late > 0 && late > options.lateDropWarningRatio * op.recordsIn) {
      const share = op.recordsIn > 0 ? late / op.recordsIn : 1;
      warnings.push(
        `operator '${op.name}' (uid '${op.uid}') dropped ${late} late records, ` +
          `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}% of the ${op.recordsIn} it received ` +
          `(more than the ${options.lateDropWarningRatio * 100}% of job option lateDropWarningRatio): ` +
          "widen the watermark strategy's out-of-orderness bound or the window's allowedLateness, " +
          "or keep late records with sideOutputLateData(tag)",
      );
    }
  }
  return warnings;
}

function describeTime(timestamp: number): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? "not a date" : date.toISOString();
}

function describeSpan(ms: number): string {
  if (!Number.isFinite(ms)) return "infinitely far";
  const days = ms / 86_400_000;
  if (days >= 365) return `${(days / 365.25).toFixed(1)} years`;
  if (days >= 1) return `${days.toFixed(1)} days`;
  return `${(ms / 3_600_000).toFixed(1)} hours`;
}
