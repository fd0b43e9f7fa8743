/**
 * The checkpoint benchmarks of `npm run bench`: (1) q5 on eddy-p1 with a checkpoint every second
 * against no checkpoints, runs interleaved, as a ratio of the same run; (2) a checkpoint of
 * `keys` keys of value state on the heap and LMDB backends: its duration, synchronous and
 * asynchronous parts, size, and the restore time (bench/checkpoint/keyed-state-checkpoint.ts).
 * Every measurement is a fresh process (bench/run-one.ts).
 */
import { runChild } from "../child-run.ts";
import { fmtMb, fmtMs, fmtRate, fmtRatio, median } from "../figures.ts";
import type { KeyedStateRunResult, RunResult } from "../run-one.ts";
import type { StateBackendName } from "./keyed-state-checkpoint.ts";

export interface CheckpointSuiteOptions {
  readonly runs: number;
  /** Events per q5 run. */
  readonly events: number;
  /** Keys of value state. */
  readonly keys: number;
  readonly seed: number;
  /** Checkpoint interval of the q5 runs (ms). */
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ThroughputSummary {
  readonly runs: number;
  readonly eventsPerSecond: Spread;
  readonly cpuSeconds: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
  readonly hashes: string[];
}

export interface CheckpointThroughput {
  readonly query: "q5";
  readonly impl: "eddy-p1";
  readonly events: number;
  readonly intervalMs: number;
  readonly without?: ThroughputSummary;
  readonly with?: ThroughputSummary & {
    /** Medians over the runs of each run's checkpoint count, median and max duration, sync part, size. */
    readonly checkpointsPerRun: number;
    readonly checkpointMs: { readonly median: number; readonly max: number };
    readonly syncMs: number;
    readonly bytes: number;
  };
  /** Median events/s with checkpoints ÷ without. */
  readonly ratio?: number;
  readonly hashesAgree: boolean;
}

export interface KeyedStateSummary {
  readonly backend: StateBackendName;
  readonly keys: number;
  readonly runs: number;
  readonly loadMs: Spread;
  readonly checkpointMs: Spread;
  readonly syncMs: Spread;
  /** Checkpoint duration minus the sync part: barrier travel, writing the file, the metadata. */
  readonly asyncMs: Spread;
  readonly bytes: number;
  readonly restoreMs: Spread;
  readonly startMs: Spread;
  readonly verifiedKeys: number;
  readonly peakRssMb: number;
}

export interface CheckpointSuiteResult {
  readonly throughput: CheckpointThroughput;
  readonly keyedState: KeyedStateSummary[];
  readonly runs: { readonly throughput: RunResult[]; readonly keyedState: KeyedStateRunResult[] };
  readonly failures: string[];
}

const BACKENDS: readonly StateBackendName[] = ["heap", "lmdb"];

const spread = (xs: readonly number[]): Spread => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
});

function summarize(rs: readonly RunResult[]): ThroughputSummary | undefined {
  if (rs.length === 0) return undefined;
  return {
    runs: rs.length,
    eventsPerSecond: spread(rs.map((r) => r.eventsPerSecond)),
    cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
    eventsPerCpuSecond: median(rs.map((r) => r.eventsPerCpuSecond)),
    peakRssMb: median(rs.map((r) => r.peakRssMb)),
    hashes: [...new Set(rs.map((r) => r.hash))],
  };
}

export async function runCheckpointSuite(options: CheckpointSuiteOptions): Promise<CheckpointSuiteResult> {
  const { runs, events, keys, seed, intervalMs, log } = options;
  const failures: string[] = [];
  const plain: RunResult[] = [];
  const checkpointed: RunResult[] = [];
  const keyed: KeyedStateRunResult[] = [];
  const attempt = async <T>(what: string, args: string[]): Promise<T | undefined> => {
    try {
      return await runChild<T>(args);
    } catch (error) {
      failures.push((error as Error).message);
      log(`  ${what}: FAILED ${(error as Error).message.split("\n")[0]}`);
      return undefined;
    }
  };

  log(`checkpoints: q5 eddy-p1, ${events.toLocaleString("en-US")} events, none vs every ${intervalMs} ms`);
  for (let run = 0; run < runs; run++)
    for (const every of [undefined, intervalMs]) {
      const args = ["--query", "q5", "--impl", "eddy-p1", "--events", String(events), "--seed", String(seed)];
      if (every !== undefined) args.push("--checkpoint-interval", String(every));
      const label = every === undefined ? "no checkpoints" : `checkpoint every ${every} ms`;
      const r = await attempt<RunResult>(`q5 ${label} run ${run + 1}`, args);
      if (r === undefined) continue;
      (every === undefined ? plain : checkpointed).push(r);
      const cp = r.checkpoints;
      log(
        `  q5 ${label.padEnd(24)} run ${run + 1}/${runs}: ${fmtRate(r.eventsPerSecond)}/s, ` +
          `${r.cpuSeconds.toFixed(2)} CPU s, ${Math.round(r.peakRssMb)} MB, ${r.hash}` +
          (cp === undefined
            ? ""
            : `; ${cp.count} checkpoints, median ${fmtMs(cp.durationMs.median)} ms, ${fmtMb(cp.bytes.median)} MB`),
      );
    }

  log(`checkpoints: ${keys.toLocaleString("en-US")} keys of value state, ${BACKENDS.join(" and ")} backends`);
  for (let run = 0; run < runs; run++)
    for (const backend of BACKENDS) {
      const r = await attempt<KeyedStateRunResult>(`${backend} run ${run + 1}`, [
        "--keyed-state",
        "--backend",
        backend,
        "--keys",
        String(keys),
      ]);
      if (r === undefined) continue;
      keyed.push(r);
      log(
        `  ${backend.padEnd(4)} run ${run + 1}/${runs}: checkpoint ${fmtMs(r.checkpoint.durationMs)} ms ` +
          `(sync ${fmtMs(r.checkpoint.syncMs)} ms), ${fmtMb(r.checkpoint.bytes)} MB, ` +
          `restore ${fmtMs(r.restoreMs)} ms, ${r.verifiedKeys} keys verified`,
      );
    }

  const without = summarize(plain);
  const withCheckpoints = summarize(checkpointed);
  const cps = checkpointed.flatMap((r) => (r.checkpoints === undefined ? [] : [r.checkpoints]));
  const throughput: CheckpointThroughput = {
    query: "q5",
    impl: "eddy-p1",
    events,
    intervalMs,
    ...(without === undefined ? {} : { without }),
    ...(withCheckpoints === undefined || cps.length === 0
      ? {}
      : {
          with: {
            ...withCheckpoints,
            checkpointsPerRun: median(cps.map((c) => c.count)),
            checkpointMs: {
              median: median(cps.map((c) => c.durationMs.median)),
              max: Math.max(...cps.map((c) => c.durationMs.max)),
            },
            syncMs: median(cps.map((c) => c.syncMs.median)),
            bytes: median(cps.map((c) => c.bytes.median)),
          },
        }),
    ...(without === undefined || withCheckpoints === undefined
      ? {}
      : { ratio: withCheckpoints.eventsPerSecond.median / without.eventsPerSecond.median }),
    hashesAgree: new Set([...plain, ...checkpointed].map((r) => r.hash)).size === 1,
  };

  const keyedState: KeyedStateSummary[] = [];
  for (const backend of BACKENDS) {
    const rs = keyed.filter((r) => r.backend === backend);
    if (rs.length === 0) continue;
    keyedState.push({
      backend,
      keys,
      runs: rs.length,
      loadMs: spread(rs.map((r) => r.loadMs)),
      checkpointMs: spread(rs.map((r) => r.checkpoint.durationMs)),
      syncMs: spread(rs.map((r) => r.checkpoint.syncMs)),
      asyncMs: spread(rs.map((r) => r.checkpoint.durationMs - r.checkpoint.syncMs)),
      bytes: median(rs.map((r) => r.checkpoint.bytes)),
      restoreMs: spread(rs.map((r) => r.restoreMs)),
      startMs: spread(rs.map((r) => r.startMs)),
      verifiedKeys: Math.min(...rs.map((r) => r.verifiedKeys)),
      peakRssMb: median(rs.map((r) => r.peakRssMb)),
    });
  }
  return {
    throughput,
    keyedState,
    runs: { throughput: [...plain, ...checkpointed], keyedState: keyed },
    failures,
  };
}

const fmtSpread = (s: Spread) => `${fmtMs(s.median)} (${fmtMs(s.min)} – ${fmtMs(s.max)})`;

export function checkpointMarkdown(result: CheckpointSuiteResult, runs: number): string[] {
  const lines: string[] = [];
  const t = result.throughput;
  if (t.without !== undefined || t.with !== undefined) {
    lines.push(
      "",
      `### Checkpoints: q5 throughput (eddy-p1, ${t.events.toLocaleString("en-US")} events, median of ${runs} run(s), min – max)`,
      "",
      "| checkpoints | events/s (median) | min – max | CPU s | events per CPU-second | peak RSS (MB) | checkpoints per run | checkpoint duration, median / max (ms) | sync part (ms) | size (MB) | output hash |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    );
    const row = (label: string, s: ThroughputSummary, extra: string) =>
      lines.push(
        `| ${label} | ${fmtRate(s.eventsPerSecond.median)} | ${fmtRate(s.eventsPerSecond.min)} – ${fmtRate(
          s.eventsPerSecond.max,
        )} | ${s.cpuSeconds.toFixed(2)} | ${fmtRate(s.eventsPerCpuSecond)} | ${Math.round(s.peakRssMb)} | ${extra} | \`${s.hashes.join(", ")}\` |`,
      );
    if (t.without !== undefined) row("none", t.without, "– | – | – | –");
    if (t.with !== undefined)
      row(
        `every ${t.intervalMs / 1000} s`,
        t.with,
        `${t.with.checkpointsPerRun} | ${fmtMs(t.with.checkpointMs.median)} / ${fmtMs(t.with.checkpointMs.max)} | ${fmtMs(
          t.with.syncMs,
        )} | ${fmtMb(t.with.bytes)}`,
      );
    lines.push(
      "",
      `With a checkpoint every ${t.intervalMs / 1000} s, q5 runs at **${fmtRatio(t.ratio)}** of its median events/s without; ` +
        `output hashes ${t.hashesAgree ? "agree" : "**DISAGREE**"}.`,
    );
  }
  if (result.keyedState.length > 0) {
    const keys = result.keyedState[0].keys;
    lines.push(
      "",
      `### Checkpoints: ${keys.toLocaleString("en-US")} keys of value state (one keyed task, median of ${runs} run(s), min – max, ms)`,
      "",
      "| backend | load the keys | checkpoint | sync part | async part | size (MB) | restore | start without state | keys verified | peak RSS (MB) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const k of result.keyedState)
      lines.push(
        `| ${k.backend} | ${fmtSpread(k.loadMs)} | ${fmtSpread(k.checkpointMs)} | ${fmtSpread(k.syncMs)} | ${fmtSpread(
          k.asyncMs,
        )} | ${fmtMb(k.bytes)} | ${fmtSpread(k.restoreMs)} | ${fmtSpread(k.startMs)} | ${k.verifiedKeys.toLocaleString(
          "en-US",
        )} | ${Math.round(k.peakRssMb)} |`,
      );
  }
  return lines;
}
