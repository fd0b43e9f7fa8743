/**
 * What a running job looks like on stderr, as pure functions of two progress samples (the previous
 * one, for rates, and the current one) and the terminal width: the live block redrawn on a
 * terminal, the log line printed every few seconds otherwise, and the summary at the end.
 * Rates come from the difference between the samples; the ETA of bounded input from the average
 * rate so far, which moves less than the current one.
 */
import type { CompletedCheckpoint, JobProgress, OperatorProgress } from "@eddy/core";
import {
  fit,
  formatCount,
  formatDuration,
  formatEta,
  formatPercent,
  formatWatermark,
  progressBar,
} from "./progress-format.ts";

/** The whole job in a few numbers. */
export interface ProgressTotals {
  /** Records the sources emitted. */
  readonly read: number;
  /** Records the sinks received. */
  readonly written: number;
  /** Records per second, between the two samples (or on average without a previous one). */
  readonly readRate: number;
  readonly writeRate: number;
  /** Lowest watermark at the sinks. */
  readonly watermark: number;
  /** Share of the bounded input read, when the sources know their size. */
  readonly fraction?: number;
  readonly etaMs?: number;
}

export function progressTotals(previous: JobProgress | undefined, current: JobProgress): ProgressTotals {
  const read = sum(current.operators, "source", "recordsOut");
  const written = sum(current.operators, "sink", "recordsIn");
  const totals: ProgressTotals = {
    read,
    written,
    readRate: rate(previous && sum(previous.operators, "source", "recordsOut"), read, previous, current),
    writeRate: rate(previous && sum(previous.operators, "sink", "recordsIn"), written, previous, current),
    watermark: outputWatermark(current.operators),
  };
  const expected = current.expectedSourceRecords;
  if (expected === undefined || expected <= 0) return totals;
  const fraction = Math.min(1, read / expected);
  const averageRate = current.elapsedMs > 0 ? read / (current.elapsedMs / 1000) : 0;
  const etaMs = averageRate > 0 ? (1000 * Math.max(0, expected - read)) / averageRate : undefined;
  return { ...totals, fraction, etaMs };
}

/** The live block: a header line with time and progress, then one line per operator. */
export function renderProgressBlock(
  previous: JobProgress | undefined,
  current: JobProgress,
  width: number,
): string[] {
  const totals = progressTotals(previous, current);
  let header = `${current.jobName}  ${formatDuration(current.elapsedMs)}`;
  if (totals.fraction !== undefined) {
    const barWidth = Math.max(10, Math.min(30, width - header.length - 30));
    header += `  ${progressBar(totals.fraction, barWidth)} ${formatPercent(totals.fraction)}`;
    header += `  ETA ${totals.etaMs === undefined ? "-" : formatEta(totals.etaMs)}`;
  }
  const deadLetters = deadLetterCount(current.operators, current.deadLetters);
  if (deadLetters > 0) header += `  dead letters ${formatCount(deadLetters)}`;
  const late = lateCount(current.operators);
  if (late > 0) header += `  late, dropped ${formatCount(late)}`;

  const rows = current.operators.map((op) => {
    const before = previous?.operators.find((p) => p.nodeId === op.nodeId);
    return [
      op.parallelism > 1 ? `${op.name} x${op.parallelism}` : op.name,
      op.uid,
      formatCount(op.recordsIn),
      formatCount(op.recordsOut),
      formatCount(rate(before?.recordsIn, op.recordsIn, previous, current)),
      formatWatermark(op.watermark),
    ];
  });
  const headings = ["operator", "uid", "in", "out", "in/s", "watermark"];
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Numbers and watermarks keep their width; name and uid share what is left.
  const gap = "  ";
  const indent = "  ";
  const fixed = widths[2] + widths[3] + widths[4] + widths[5] + gap.length * 5 + indent.length;
  const left = Math.max(16, width - fixed);
  const nameWidth = Math.min(widths[0], Math.max(8, left - Math.min(widths[1], Math.floor(left / 2))));
  const uidWidth = Math.min(widths[1], Math.max(8, left - nameWidth));
  const line = (cells: readonly string[]) =>
    indent +
    [
      fit(cells[0], nameWidth),
      fit(cells[1], uidWidth),
      fit(cells[2], widths[2], "right"),
      fit(cells[3], widths[3], "right"),
      fit(cells[4], widths[4], "right"),
      fit(cells[5], widths[5]),
    ].join(gap);
  const lines = [header, line(headings)];
  current.operators.forEach((op, i) => {
    lines.push(line(rows[i]));
    const metrics = renderUserMetrics(op);
    if (metrics !== "") lines.push(`${indent}${indent}${metrics}`);
  });
  return lines.map((l) => cut(l.trimEnd(), width));
}

/** An operator's own metrics (RuntimeContext.metrics), e.g. `cep.matches 12  cep.partialMatches 3`. */
export function renderUserMetrics(op: OperatorProgress): string {
  return Object.entries(op.metrics ?? {})
    .map(([name, value]) => `${name} ${formatCount(value)}`)
    .join("  ");
}

/** The line printed every few seconds when stderr is not a terminal. */
export function renderProgressLine(previous: JobProgress | undefined, current: JobProgress): string {
  const t = progressTotals(previous, current);
  let line =
    `[eddy] ${formatDuration(current.elapsedMs)}` +
    `  in ${formatCount(t.read)} (${formatCount(t.readRate)}/s)` +
    `  out ${formatCount(t.written)} (${formatCount(t.writeRate)}/s)` +
    `  wm ${formatWatermark(t.watermark)}`;
  if (t.fraction !== undefined)
    line += `  ${formatPercent(t.fraction)} ETA ${t.etaMs === undefined ? "-" : formatEta(t.etaMs)}`;
  const deadLetters = deadLetterCount(current.operators, current.deadLetters);
  if (deadLetters > 0) line += `  dead letters ${formatCount(deadLetters)}`;
  const late = lateCount(current.operators);
  if (late > 0) line += `  late, dropped ${formatCount(late)}`;
  return line;
}

/** What the summary needs; a JobResult has all of it. */
export interface JobSummary {
  readonly jobName: string;
  readonly durationMs: number;
  readonly operators: readonly OperatorProgress[];
  /** Dead letters no stream consumed (failed records are counted from the operators). */
  readonly deadLetters: number;
  /** Stopped by a signal rather than finished. */
  readonly stopped: boolean;
  /** Checkpoints completed in the run (absent or empty without checkpointing). */
  readonly checkpoints?: readonly CompletedCheckpoint[];
  /** The checkpoint the run resumed from. */
  readonly restoredFrom?: number;
}

export function renderSummary(summary: JobSummary): string {
  const read = sum(summary.operators, "source", "recordsOut");
  const written = sum(summary.operators, "sink", "recordsIn");
  const seconds = summary.durationMs / 1000;
  const perSecond = seconds > 0 ? read / seconds : 0;
  const ended = summary.stopped ? "stopped after" : "finished in";
  const deadLetters = deadLetterCount(summary.operators, summary.deadLetters);
  let late = 0;
  for (const op of summary.operators) late += op.lateDropped ?? 0;
  return (
    `[eddy] job '${summary.jobName}' ${ended} ${formatDuration(summary.durationMs)}: ` +
    `${formatCount(read)} records read (${formatCount(perSecond)}/s), ${formatCount(written)} written, ` +
    `${formatCount(deadLetters)} dead letter${deadLetters === 1 ? "" : "s"}` +
    (late > 0 ? `, ${formatCount(late)} late record${late === 1 ? "" : "s"} dropped` : "") +
    renderCheckpoints(summary) +
    // Late drops per operator: which window dropped how many (they are no dead letters).
    summary.operators
      .filter((op) => (op.lateDropped ?? 0) > 0)
      .map((op) => `\n[eddy]   ${op.uid}: ${formatCount(op.lateDropped ?? 0)} late, dropped`)
      .join("") +
    summary.operators
      .filter((op) => Object.keys(op.metrics ?? {}).length > 0)
      .map((op) => `\n[eddy]   ${op.uid}: ${renderUserMetrics(op)}`)
      .join("")
  );
}

/** `; resumed from checkpoint 4; 12 checkpoints (last: 110 ms, 512 KB; slowest 230 ms)` */
function renderCheckpoints(summary: JobSummary): string {
  let text = summary.restoredFrom === undefined ? "" : `; resumed from checkpoint ${summary.restoredFrom}`;
  const checkpoints = summary.checkpoints ?? [];
  if (checkpoints.length > 0) {
    const last = checkpoints[checkpoints.length - 1].stats;
    const slowest = Math.max(...checkpoints.map((c) => c.stats.durationMs));
    text +=
      `; ${formatCount(checkpoints.length)} checkpoint${checkpoints.length === 1 ? "" : "s"} ` +
      `(last: ${formatDuration(last.durationMs)}, ${formatBytes(last.bytes)}; slowest ${formatDuration(slowest)})`;
  }
  return text;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Every record that failed became a dead letter (a failure that fails the job ends it first); the
 * runtime's own count covers only the dead letters no stream consumed, so count the failures.
 */
function deadLetterCount(operators: readonly OperatorProgress[], unconsumed: number): number {
  let failed = 0;
  for (const op of operators) failed += op.recordsFailed;
  return Math.max(failed, unconsumed);
}

function lateCount(operators: readonly OperatorProgress[]): number {
  let late = 0;
  for (const op of operators) late += op.lateDropped ?? 0;
  return late;
}

function sum(
  operators: readonly OperatorProgress[],
  kind: string,
  field: "recordsIn" | "recordsOut",
): number {
  let total = 0;
  for (const op of operators) if (op.kind === kind) total += op[field];
  return total;
}

/** Per second between the samples; the average since the start when there is no earlier sample. */
function rate(
  before: number | undefined,
  now: number,
  previous: JobProgress | undefined,
  current: JobProgress,
): number {
  const dt = previous === undefined ? 0 : current.elapsedMs - previous.elapsedMs;
  if (before !== undefined && dt > 0) return (1000 * Math.max(0, now - before)) / dt;
  return current.elapsedMs > 0 ? (1000 * now) / current.elapsedMs : 0;
}

/** The lowest watermark at the sinks (or anywhere, for a job without sinks). */
function outputWatermark(operators: readonly OperatorProgress[]): number {
  const sinks = operators.filter((op) => op.kind === "sink");
  const from = sinks.length > 0 ? sinks : operators;
  let lowest = Number.POSITIVE_INFINITY;
  for (const op of from) {
    const wm = op.watermark ?? Number.NEGATIVE_INFINITY;
    if (wm < lowest) lowest = wm;
  }
  return from.length === 0 ? Number.NEGATIVE_INFINITY : lowest;
}

function cut(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}
