/**
 * Runs one implementation of a CEP benchmark and returns its output digest and the CEP
 * operator's metrics: the hand-written loop, or eddy (in this thread at parallelism 1 or 2, or
 * on worker threads). The same functions serve the benchmark (timed around them) and the tests.
 *
 * Live partial matches (`cep.partialMatches`) are a gauge: the job result holds its value at the
 * end (0 once the final watermark has timed everything out), so the runs also sample it from the
 * job's progress reports and keep the highest value seen.
 */
import { type JobProgress, type JobResult, runJob, runJobModule } from "@eddy/core";
import { combineDigests, type DigestState, RowDigest } from "../nexmark/row-digest.ts";
import { buildCepJob, CEP_UID, type CepJobConfig, DIGEST_UID } from "./cep-job.ts";
import { cepAbcHandWritten } from "./hand-written.ts";
import { CEP_ABC } from "./workload.ts";

export const CEP_IMPLEMENTATIONS = ["hand-written", "eddy-p1", "eddy-p2"] as const;
/** eddy-p2-local: parallelism 2 with both subtasks in this thread (tests; no thread crossing). */
export type CepImplementation = (typeof CEP_IMPLEMENTATIONS)[number] | "eddy-p2-local";

export const CEP_JOB_MODULE_URL = new URL("./cep-job.ts", import.meta.url).href;

/** The CEP operator's user metrics (summed over subtasks) at the end of a run. */
export interface CepMetrics {
  readonly matches: number;
  readonly timeouts: number;
  readonly lateEvents: number;
  readonly discardedByCap: number;
  /** Live partial matches when the job ended. */
  readonly partialMatches: number;
}

export interface CepOutcome {
  readonly hash: string;
  /** Matches and timed-out partial matches (from the loop, or eddy's cep.* metrics). */
  readonly matches: number;
  readonly timeouts: number;
  /** eddy only: the CEP operator's metrics from the job result. */
  readonly metrics?: CepMetrics;
  /** eddy only: the highest cep.partialMatches of the progress samples. */
  readonly peakPartialMatches?: number;
  /** eddy only: [records into the CEP operator, live partial matches] per progress sample. */
  readonly samples?: ReadonlyArray<readonly [number, number]>;
}

export function cepMetrics(result: JobResult): CepMetrics {
  const op = result.operators.find((o) => o.uid === CEP_UID);
  if (op === undefined) throw new Error(`no operator with uid ${CEP_UID} in ${result.plan.jobName}`);
  const m = op.metrics;
  return {
    matches: m["cep.matches"] ?? 0,
    timeouts: m["cep.timeouts"] ?? 0,
    lateEvents: m["cep.lateEvents"] ?? 0,
    discardedByCap: m["cep.discardedByCap"] ?? 0,
    partialMatches: m["cep.partialMatches"] ?? 0,
  };
}

/** Runs the eddy job of `config` and samples its live partial matches every `sampleMs`. */
export async function runCepEddy(
  config: CepJobConfig,
  impl: Exclude<CepImplementation, "hand-written">,
  sampleMs = 200,
): Promise<CepOutcome> {
  const samples: Array<readonly [number, number]> = [];
  const onProgress = (p: JobProgress) => {
    const op = p.operators.find((o) => o.uid === CEP_UID);
    if (op !== undefined) samples.push([op.recordsIn, op.metrics["cep.partialMatches"] ?? 0]);
  };
  const options = { onProgress, progressIntervalMs: sampleMs };
  const result =
    impl === "eddy-p2"
      ? await runJobModule(CEP_JOB_MODULE_URL, {
          parallelism: 2,
          config: config as unknown as Record<string, unknown>,
          ...options,
        })
      : await runJob(buildCepJob(config), { parallelism: impl === "eddy-p1" ? 1 : 2, ...options });
  const metrics = cepMetrics(result);
  return {
    hash: combineDigests(result.collected<DigestState>(DIGEST_UID)),
    matches: metrics.matches,
    timeouts: metrics.timeouts,
    metrics,
    peakPartialMatches: Math.max(0, ...samples.map((s) => s[1])),
    samples,
  };
}

/** cep-abc: `a followedBy b followedBy c within(60 s)` over 10,000 users. */
export async function runCepAbc(impl: CepImplementation, events: number, seed: number): Promise<CepOutcome> {
  if (impl === "hand-written") {
    const digest = new RowDigest();
    const counts = cepAbcHandWritten(CEP_ABC, events, seed, digest);
    return { hash: digest.toString(), ...counts };
  }
  return runCepEddy({ workload: "cep-abc", events, seed }, impl);
}

export interface CepAnyOptions {
  readonly events: number;
  readonly seed: number;
  /** maxPartialMatchesPerKey; uncapped when absent. */
  readonly cap?: number;
  /**
   * How long the source takes (ms, wall clock): it is throttled to events / this, with a
   * watermark every 10 ms, so that progress samples (every 20 ms) follow the partial matches
   * as they grow instead of seeing the whole input matched at the final watermark.
   */
  readonly spreadMs?: number;
}

/** cep-any: the followedByAny stress, eddy at parallelism 1. */
export function runCepAny(options: CepAnyOptions): Promise<CepOutcome> {
  const { events, seed, cap, spreadMs = 3000 } = options;
  return runCepEddy(
    {
      workload: "cep-any",
      events,
      seed,
      ...(cap === undefined ? {} : { cap }),
      eventsPerSecond: Math.max(1, (events * 1000) / spreadMs),
      watermarkIntervalMs: 10,
    },
    "eddy-p1",
    20,
  );
}
