import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobProgress, OperatorProgress } from "@eddy/core";
import { progressTotals, renderProgressBlock, renderProgressLine, renderSummary } from "../src/index.ts";
import {
  fit,
  formatCount,
  formatDuration,
  formatEta,
  formatWatermark,
  progressBar,
} from "../src/progress-format.ts";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function op(
  nodeId: number,
  kind: string,
  name: string,
  recordsIn: number,
  recordsOut: number,
  watermark: number,
  parallelism = 1,
): OperatorProgress {
  return {
    nodeId,
    uid: `${name}-uid`,
    name,
    kind,
    parallelism,
    recordsIn,
    recordsOut,
    recordsFailed: 0,
    watermark,
    metrics: {},
  };
}

function progress(
  elapsedMs: number,
  read: number,
  written: number,
  watermark: number,
  expected?: number,
): JobProgress {
  return {
    jobName: "sensors",
    elapsedMs,
    expectedSourceRecords: expected,
    deadLetters: 0,
    operators: [
      op(0, "source", "readings", read, read, watermark + 3000, 2),
      op(1, "window", "average", read, written, watermark, 2),
      op(2, "sink", "print", written, 0, watermark),
    ],
  };
}

describe("progress formatting", () => {
  it("formats counts, durations and estimates", () => {
    assert.equal(formatCount(1234567.4), "1,234,567");
    assert.equal(formatDuration(1234), "1.23s");
    assert.equal(formatDuration(12_345), "12.3s");
    assert.equal(formatDuration(125_000), "2m 05s");
    assert.equal(formatDuration(3_725_000), "1h 02m");
    assert.equal(formatEta(6_100), "7s");
    assert.equal(formatEta(Number.NaN), "-");
  });

  it("shows watermarks as ISO times, `-` before the first, `end` after the last", () => {
    assert.equal(formatWatermark(T0), "2024-01-01T12:00:00.000Z");
    assert.equal(formatWatermark(Number.NEGATIVE_INFINITY), "-");
    assert.equal(formatWatermark(null), "-");
    assert.equal(formatWatermark(Number.POSITIVE_INFINITY), "end");
    assert.equal(formatWatermark(12_000), "12,000");
  });

  it("draws bars and fits cells", () => {
    assert.equal(progressBar(0.5, 10), "[█████░░░░░]");
    assert.equal(progressBar(2, 4), "[████]");
    assert.equal(progressBar(Number.NaN, 2), "[░░]");
    assert.equal(fit("average-per-window", 8), "average…");
    assert.equal(fit("42", 5, "right"), "   42");
  });
});

describe("progress rendering", () => {
  const before = progress(1_000, 100_000, 990, T0);
  const now = progress(2_000, 300_000, 2_980, T0 + 20_000, 1_000_000);

  it("measures rates between samples and the ETA from the average so far", () => {
    const totals = progressTotals(before, now);
    assert.equal(totals.read, 300_000);
    assert.equal(totals.written, 2_980);
    assert.equal(totals.readRate, 200_000);
    assert.equal(totals.writeRate, 1_990);
    assert.equal(totals.watermark, T0 + 20_000);
    assert.equal(totals.fraction, 0.3);
    // 300,000 in 2 s = 150,000/s on average; 700,000 to go.
    assert.ok(Math.abs((totals.etaMs ?? 0) - 4_666.67) < 0.01);
    // Without an earlier sample the rate is the average since the start.
    assert.equal(progressTotals(undefined, now).readRate, 150_000);
    assert.equal(progressTotals(undefined, before).fraction, undefined);
  });

  it("renders the live block: header with progress, then one row per operator", () => {
    const lines = renderProgressBlock(before, now, 120);
    assert.equal(lines.length, 5);
    assert.match(lines[0], /^sensors {2}2\.00s {2}\[█+░+\] 30\.0% {2}ETA 5s$/);
    assert.match(lines[1], /^ {2}operator +uid +in +out +in\/s +watermark$/);
    assert.match(
      lines[2],
      /^ {2}readings x2 +readings-uid +300,000 +300,000 +200,000 +2024-01-01T12:00:23\.000Z$/,
    );
    assert.match(
      lines[3],
      /^ {2}average x2 +average-uid +300,000 +2,980 +200,000 +2024-01-01T12:00:20\.000Z$/,
    );
    assert.match(lines[4], /^ {2}print +print-uid +2,980 +0 +1,990 +2024-01-01T12:00:20\.000Z$/);
    for (const line of lines) assert.ok(line.length <= 120);
  });

  it("keeps every line within a narrow terminal", () => {
    for (const width of [40, 60, 80]) {
      const lines = renderProgressBlock(before, now, width);
      for (const line of lines) assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
    }
  });

  it("shows no bar for unbounded input, `-` before watermarks and `end` after", () => {
    const start = progress(500, 10, 0, Number.NEGATIVE_INFINITY);
    const lines = renderProgressBlock(undefined, start, 100);
    assert.equal(lines[0], "sensors  0.50s");
    assert.match(lines[4], / -$/);
    const end = progress(3_000, 10, 1, Number.POSITIVE_INFINITY);
    assert.match(renderProgressBlock(start, end, 100)[3], / end$/);
  });

  it("mentions dead letters only when there are some", () => {
    const failing = { ...now, deadLetters: 3 };
    assert.match(renderProgressBlock(before, failing, 120)[0], /dead letters 3$/);
    assert.match(renderProgressLine(before, failing), /dead letters 3$/);
    assert.doesNotMatch(renderProgressLine(before, now), /dead letters/);
  });

  it("counts every failed record as a dead letter, consumed or not", () => {
    const failed = {
      ...now,
      operators: now.operators.map((o) => (o.kind === "source" ? { ...o, recordsFailed: 2 } : o)),
    };
    assert.match(renderProgressLine(before, failed), /dead letters 2$/);
    const summary = {
      jobName: "j",
      durationMs: 10,
      operators: failed.operators,
      deadLetters: 0,
      stopped: false,
    };
    assert.match(renderSummary(summary), /, 2 dead letters$/);
  });

  it("renders the log line", () => {
    assert.equal(
      renderProgressLine(before, now),
      "[eddy] 2.00s  in 300,000 (200,000/s)  out 2,980 (1,990/s)  wm 2024-01-01T12:00:20.000Z  30.0% ETA 5s",
    );
  });

  it("renders the summary of a finished and of a stopped job", () => {
    const final = progress(2_500, 1_000_000, 10_000, Number.POSITIVE_INFINITY);
    const summary = { jobName: "sensors", durationMs: 2_500, operators: final.operators, deadLetters: 1 };
    assert.equal(
      renderSummary({ ...summary, stopped: false }),
      "[eddy] job 'sensors' finished in 2.50s: 1,000,000 records read (400,000/s), 10,000 written, 1 dead letter",
    );
    assert.match(
      renderSummary({ ...summary, stopped: true, deadLetters: 0 }),
      /stopped after 2\.50s: .* 0 dead letters$/,
    );
  });

  it("adds where the run resumed from and its checkpoints to the summary", () => {
    const final = progress(2_500, 1_000_000, 10_000, Number.POSITIVE_INFINITY);
    const stats = (durationMs: number, bytes: number) => ({
      durationMs,
      syncMs: 1,
      asyncMs: 1,
      alignmentMs: 0,
      bytes,
    });
    assert.match(
      renderSummary({
        jobName: "sensors",
        durationMs: 2_500,
        operators: final.operators,
        deadLetters: 0,
        stopped: false,
        restoredFrom: 4,
        checkpoints: [
          { id: 5, stats: stats(230, 2048) },
          { id: 6, stats: stats(110, 3 * 1024 * 1024) },
        ],
      }),
      /0 dead letters; resumed from checkpoint 4; 2 checkpoints \(last: 0\.11s, 3\.0 MB; slowest 0\.23s\)$/,
    );
  });
});
