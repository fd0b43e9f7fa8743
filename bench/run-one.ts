/**
 * One measured run, in a fresh process (bench/run.ts spawns one per run, so one implementation's
 * garbage, JIT state and memory never affect the next). Prints one JSON line on stdout.
 *
 *   node --conditions=eddy-source --import tsx bench/run-one.ts --query q5 --impl eddy-p1 --events 2000000
 *   node --conditions=eddy-source --import tsx bench/run-one.ts --query q5 --impl eddy-p1 --events 2000000 --checkpoint-interval 1000
 *   node --conditions=eddy-source --import tsx bench/run-one.ts --query q5 --latency --rate 300000 --seconds 30
 *   node --conditions=eddy-source --import tsx bench/run-one.ts --keyed-state --backend lmdb --keys 1000000
 *
 * Throughput runs time the whole implementation: generating the events (in the measured process,
 * as Flink's figures do), the query, and digesting its output; for eddy-p2 also starting the worker
 * threads. CPU seconds are of every thread of the process (process.cpuUsage includes workers);
 * peak RSS is the process's high-water mark (getrusage maxrss), which also counts threads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runJob, runJobModule } from "@eddy/core";
import type { RateProfile } from "@eddy/nexmark";
import {
  type KeyedStateCheckpointResult,
  measureKeyedStateCheckpoint,
  type StateBackendName,
} from "./checkpoint/keyed-state-checkpoint.ts";
import { median } from "./figures.ts";
import { buildChainJob, chainHandWritten } from "./jobs/chain-job.ts";
import { DigestSink } from "./nexmark/digest-sink.ts";
import { type Implementation, runEddyImplementation, runImplementation } from "./nexmark/implementations.ts";
import { buildNexmarkJob, DIGEST_UID } from "./nexmark/nexmark-job.ts";
import { nexmarkQuery } from "./nexmark/queries/index.ts";
import { combineDigests, type DigestState, RowDigest } from "./nexmark/row-digest.ts";
import { WindowLatencyProbe } from "./nexmark/window-latency.ts";

export interface RunResult {
  readonly query: string;
  readonly impl: string;
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
  readonly hash: string;
  /** Periodic checkpoints during the run (eddy only, --checkpoint-interval). */
  readonly checkpointIntervalMs?: number;
  readonly checkpoints?: CheckpointSummary;
}

/** The checkpoints one run completed: how many, and their statistics' medians and maxima. */
export interface CheckpointSummary {
  readonly count: number;
  readonly durationMs: { readonly median: number; readonly max: number };
  readonly syncMs: { readonly median: number; readonly max: number };
  readonly bytes: { readonly median: number; readonly max: number };
}

export interface KeyedStateRunResult extends KeyedStateCheckpointResult {
  readonly peakRssMb: number;
}

export interface LatencyResult {
  readonly query: string;
  readonly impl: "eddy-p1";
  readonly eventsPerSecond: number;
  readonly seconds: number;
  readonly windows: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly hash: string;
}

/** Window slide of the queries whose latency is measured: window ends are its multiples. */
const LATENCY_SLIDES: Record<string, number> = { q5: 2_000, q7: 10_000 };

async function throughput(
  query: string,
  impl: Implementation,
  events: number,
  seed: number,
  profile: RateProfile,
  checkpointIntervalMs: number | undefined,
) {
  const spec = { query, events, seed, profile };
  let checkpointDir: string | undefined;
  let checkpoints: CheckpointSummary | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let hash: string;
  if (checkpointIntervalMs !== undefined) {
    if (impl !== "eddy-p1" && impl !== "eddy-p2") throw new Error(`${impl} takes no checkpoints`);
    checkpointDir = mkdtempSync(join(tmpdir(), "eddy-bench-checkpoints-"));
    const result = await runEddyImplementation(spec, impl, {
      dir: checkpointDir,
      intervalMs: checkpointIntervalMs,
      restore: "none",
    });
    hash = combineDigests(result.collected<DigestState>(DIGEST_UID));
    checkpoints = summarizeCheckpoints(result.checkpoints.map((c) => c.stats));
  } else hash = query === "chain" ? await runChain(impl, events) : await runImplementation(spec, impl);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (checkpointDir !== undefined) rmSync(checkpointDir, { recursive: true, force: true });
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result: RunResult = {
    query,
    impl,
    events,
    seconds,
    cpuSeconds,
    eventsPerSecond: events / seconds,
    eventsPerCpuSecond: events / cpuSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    hash,
    ...(checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs, checkpoints }),
  };
  return result;
}

function summarizeCheckpoints(
  stats: readonly { durationMs: number; syncMs: number; bytes: number }[],
): CheckpointSummary {
  const of = (pick: (s: (typeof stats)[number]) => number) => {
    const xs = stats.map(pick);
    return xs.length === 0 ? { median: 0, max: 0 } : { median: median(xs), max: Math.max(...xs) };
  };
  return {
    count: stats.length,
    durationMs: of((s) => s.durationMs),
    syncMs: of((s) => s.syncMs),
    bytes: of((s) => s.bytes),
  };
}

async function runChain(impl: Implementation, records: number): Promise<string> {
  switch (impl) {
    case "hand-written": {
      const digest = new RowDigest();
      chainHandWritten(records, digest);
      return digest.toString();
    }
    case "eddy-p1": {
      const result = await runJob(buildChainJob(records));
      return combineDigests(result.collected<DigestState>(DIGEST_UID));
    }
    case "eddy-p2": {
      const url = new URL("./jobs/chain-job.ts", import.meta.url).href;
      const result = await runJobModule(url, { parallelism: 2, config: { records } });
      return combineDigests(result.collected<DigestState>(DIGEST_UID));
    }
    default:
      throw new Error(`the chain benchmark has no ${impl} implementation`);
  }
}

async function latency(query: string, rate: number, seconds: number, seed: number, profile: RateProfile) {
  const slide = LATENCY_SLIDES[query];
  if (slide === undefined)
    throw new Error(`latency is measured for ${Object.keys(LATENCY_SLIDES).join(", ")}`);
  const definition = nexmarkQuery(query);
  const probe = new WindowLatencyProbe(slide);
  const events = Math.round(rate * seconds);
  const job = buildNexmarkJob(
    { query, events, seed, profile, eventsPerSecond: rate },
    { watermarks: probe.watermarks(), sink: probe.sink(new DigestSink(definition.digestRow)) },
  );
  const t0 = performance.now();
  const result = await runJob(job);
  const out: LatencyResult = {
    query,
    impl: "eddy-p1",
    eventsPerSecond: rate,
    seconds: (performance.now() - t0) / 1000,
    ...probe.summary(),
    hash: combineDigests(result.collected<DigestState>(DIGEST_UID)),
  };
  return out;
}

const { values } = parseArgs({
  options: {
    query: { type: "string" },
    impl: { type: "string", default: "eddy-p1" },
    events: { type: "string", default: "2000000" },
    seed: { type: "string", default: "42" },
    profile: { type: "string", default: "R100K" },
    latency: { type: "boolean", default: false },
    rate: { type: "string" },
    seconds: { type: "string", default: "30" },
    "checkpoint-interval": { type: "string" },
    "keyed-state": { type: "boolean", default: false },
    backend: { type: "string", default: "heap" },
    keys: { type: "string", default: "1000000" },
  },
});
const seed = Number(values.seed);
const profile = values.profile as RateProfile;
let result: RunResult | LatencyResult | KeyedStateRunResult;
if (values["keyed-state"]) {
  const backend = values.backend as StateBackendName;
  if (backend !== "heap" && backend !== "lmdb") throw new Error(`--backend is heap or lmdb, not ${backend}`);
  const measured = await measureKeyedStateCheckpoint({ keys: Number(values.keys), backend });
  result = { ...measured, peakRssMb: process.resourceUsage().maxRSS / 1024 };
} else {
  if (values.query === undefined) throw new Error("--query is required");
  const interval = values["checkpoint-interval"];
  if (interval !== undefined && !(Number(interval) > 0))
    throw new Error(`--checkpoint-interval takes milliseconds, not ${interval}`);
  result = values.latency
    ? await latency(values.query, Number(values.rate), Number(values.seconds), seed, profile)
    : await throughput(
        values.query,
        values.impl as Implementation,
        Number(values.events),
        seed,
        profile,
        interval === undefined ? undefined : Number(interval),
      );
}
process.stdout.write(`${JSON.stringify(result)}\n`);
