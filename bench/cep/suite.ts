/**
 * The CEP benchmarks of `npm run bench` (`--query cep` runs only them; `cep-abc` or `cep-any`
 * one of them). Every measurement is a fresh process (bench/cep/measure.ts).
 *
 *   - cep-abc: `a followedBy b followedBy c within(60 s)` over 10,000 users, as the hand-written
 *     loop (the limit) and eddy at parallelism 1 and 2, runs interleaved; all must give the same
 *     output hash (matches and timed-out partial matches).
 *   - cep-any: `a followedByAny b.oneOrMore().allowCombinations() followedBy c within(400 ms)`
 *     over 10 users, eddy-p1: uncapped on two small inputs (the partial matches double with
 *     every b), then with `maxPartialMatchesPerKey` on the larger of them and on 40 times it.
 *     Reports peak RSS, the live partial matches (the cep.partialMatches gauge sampled from the
 *     job's progress), and cep.timeouts and cep.discardedByCap from the job result.
 *
 * The peak live partial matches of cep-abc are sampled too (every 200 ms of progress), so they
 * are approximate: an in-thread run reports progress less often than asked while it is busy.
 */
import { runChild } from "../child-run.ts";
import { fmtRate, fmtRatio, median } from "../figures.ts";
import { CEP_IMPLEMENTATIONS } from "./implementations.ts";
import type { CepRunResult } from "./measure.ts";
import { CEP_ABC, CEP_ANY } from "./workload.ts";

export const CEP_CASES = ["cep-abc", "cep-any"] as const;
export type CepCase = (typeof CEP_CASES)[number];

/** True for the names `--query` takes for the CEP benchmarks: cep (all), cep-abc, cep-any. */
export const isCepQuery = (name: string): boolean =>
  name === "cep" || (CEP_CASES as readonly string[]).includes(name);

/** Events per cep-abc run: `--events` when given, else these. */
export const CEP_ABC_EVENTS = { full: 500_000, quick: 100_000 };

/** maxPartialMatchesPerKey of the capped cep-any runs. */
export const CEP_ANY_CAP = 100;

/**
 * The cep-any runs. Uncapped, the work and memory grow exponentially with the input (every b
 * doubles a user's partial matches), so its inputs are small and fixed: 169 events take a few
 * CPU seconds, 171 ten times more.
 */
export const CEP_ANY_RUNS: ReadonlyArray<{ readonly events: number; readonly cap?: number }> = [
  { events: 150 },
  { events: 169 },
  { events: 169, cap: CEP_ANY_CAP },
  { events: 169 * 40, cap: CEP_ANY_CAP },
];

export interface CepSuiteOptions {
  readonly runs: number;
  readonly quick: boolean;
  /** cep-abc events per run; CEP_ABC_EVENTS when absent. */
  readonly events?: number;
  readonly seed: number;
  /** `--query` names; all CEP benchmarks when absent or when it holds "cep". */
  readonly queries?: readonly string[];
  /** `--impl` names; all when absent. */
  readonly impls?: readonly string[];
  readonly log: (line: string) => void;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface CepSummary {
  readonly case: CepCase;
  readonly impl: string;
  readonly events: number;
  readonly cap?: number;
  readonly runs: number;
  readonly eventsPerSecond: Spread;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
  readonly hashes: string[];
  readonly matches: number;
  readonly timeouts: number;
  /** eddy: medians over the runs. */
  readonly peakPartialMatches?: number;
  readonly discardedByCap?: number;
}

export interface CepSuiteResult {
  readonly abc: CepSummary[];
  readonly any: CepSummary[];
  /** cep-abc: every implementation and run gave the same hash; cep-any: each run's hash repeats. */
  readonly hashesAgree: boolean;
  readonly runs: CepRunResult[];
  readonly failures: string[];
}

const SCRIPT = new URL("./measure.ts", import.meta.url).pathname;

/** Runs bench/cep/measure.ts in a fresh `node` process and returns the JSON line it prints. */
function measure(args: readonly string[]): Promise<CepRunResult> {
  return runChild<CepRunResult>(args, SCRIPT);
}

const spread = (xs: readonly number[]): Spread => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
});

function summarize(rs: readonly CepRunResult[]): CepSummary {
  const r0 = rs[0];
  const eddy = rs.filter((r) => r.metrics !== undefined);
  return {
    case: r0.case,
    impl: r0.impl,
    events: r0.events,
    ...(r0.cap === undefined ? {} : { cap: r0.cap }),
    runs: rs.length,
    eventsPerSecond: spread(rs.map((r) => r.eventsPerSecond)),
    seconds: median(rs.map((r) => r.seconds)),
    cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
    eventsPerCpuSecond: median(rs.map((r) => r.eventsPerCpuSecond)),
    peakRssMb: median(rs.map((r) => r.peakRssMb)),
    hashes: [...new Set(rs.map((r) => r.hash))],
    matches: median(rs.map((r) => r.matches)),
    timeouts: median(rs.map((r) => r.timeouts)),
    ...(eddy.length === 0
      ? {}
      : {
          peakPartialMatches: median(eddy.map((r) => r.peakPartialMatches ?? 0)),
          discardedByCap: median(eddy.map((r) => r.metrics?.discardedByCap ?? 0)),
        }),
  };
}

export async function runCepSuite(options: CepSuiteOptions): Promise<CepSuiteResult> {
  const { runs, seed, log } = options;
  const all = options.queries === undefined || options.queries.includes("cep");
  const wanted = (c: CepCase) => all || options.queries!.includes(c);
  const wantedImpl = (impl: string) => options.impls === undefined || options.impls.includes(impl);
  const events = options.events ?? (options.quick ? CEP_ABC_EVENTS.quick : CEP_ABC_EVENTS.full);
  const failures: string[] = [];
  const results: CepRunResult[] = [];
  const attempt = async (what: string, args: string[]): Promise<CepRunResult | undefined> => {
    try {
      const r = await measure([...args, "--seed", String(seed)]);
      results.push(r);
      return r;
    } catch (error) {
      failures.push((error as Error).message);
      log(`  ${what}: FAILED ${(error as Error).message.split("\n")[0]}`);
      return undefined;
    }
  };

  const abcImpls = CEP_IMPLEMENTATIONS.filter(wantedImpl);
  if (wanted("cep-abc") && abcImpls.length > 0) {
    log(
      `cep-abc: a followedBy b followedBy c within(${CEP_ABC.windowMs / 1000} s), ${CEP_ABC.keys.toLocaleString("en-US")} users, ` +
        `${events.toLocaleString("en-US")} events, ${runs} run(s) each`,
    );
    for (let run = 0; run < runs; run++)
      for (const impl of abcImpls) {
        const r = await attempt(`cep-abc ${impl} run ${run + 1}`, [
          "--case",
          "cep-abc",
          "--impl",
          impl,
          "--events",
          String(events),
        ]);
        if (r !== undefined)
          log(
            `  cep-abc ${impl.padEnd(12)} run ${run + 1}/${runs}: ${fmtRate(r.eventsPerSecond)}/s, ` +
              `${r.cpuSeconds.toFixed(2)} CPU s, ${Math.round(r.peakRssMb)} MB, ${r.hash}` +
              ` (${r.matches} matches, ${r.timeouts} timeouts)`,
          );
      }
  }

  if (wanted("cep-any") && wantedImpl("eddy-p1")) {
    log(
      `cep-any: a followedByAny b.oneOrMore().allowCombinations() followedBy c within(${CEP_ANY.windowMs} ms), ` +
        `${CEP_ANY.keys} users, eddy-p1, uncapped and maxPartialMatchesPerKey ${CEP_ANY_CAP}`,
    );
    for (let run = 0; run < runs; run++)
      for (const spec of CEP_ANY_RUNS) {
        const label = `${spec.events} events, ${spec.cap === undefined ? "uncapped" : `cap ${spec.cap}`}`;
        const args = ["--case", "cep-any", "--impl", "eddy-p1", "--events", String(spec.events)];
        if (spec.cap !== undefined) args.push("--cap", String(spec.cap));
        const r = await attempt(`cep-any ${label} run ${run + 1}`, args);
        if (r !== undefined)
          log(
            `  cep-any ${label.padEnd(24)} run ${run + 1}/${runs}: ${r.cpuSeconds.toFixed(2)} CPU s, ` +
              `${Math.round(r.peakRssMb)} MB, peak ${r.peakPartialMatches} live partial matches, ` +
              `${r.timeouts} timed out, ${r.metrics?.discardedByCap ?? 0} discarded by the cap`,
          );
      }
  }

  const abc: CepSummary[] = [];
  for (const impl of CEP_IMPLEMENTATIONS) {
    const rs = results.filter((r) => r.case === "cep-abc" && r.impl === impl);
    if (rs.length > 0) abc.push(summarize(rs));
  }
  const any: CepSummary[] = [];
  for (const spec of CEP_ANY_RUNS) {
    const rs = results.filter((r) => r.case === "cep-any" && r.events === spec.events && r.cap === spec.cap);
    if (rs.length > 0) any.push(summarize(rs));
  }
  const hashesAgree =
    new Set(abc.flatMap((s) => s.hashes)).size <= 1 && any.every((s) => s.hashes.length === 1);
  return { abc, any, hashesAgree, runs: results, failures };
}

export function cepMarkdown(result: CepSuiteResult, runs: number): string[] {
  const lines: string[] = [];
  if (result.abc.length > 0) {
    const events = result.abc[0].events;
    lines.push(
      "",
      `### CEP: a followedBy b followedBy c within(${CEP_ABC.windowMs / 1000} s), ${CEP_ABC.keys.toLocaleString("en-US")} users ` +
        `(${events.toLocaleString("en-US")} events per run, median of ${runs} run(s), min – max)`,
      "",
      "| implementation | events/s (median) | min – max | CPU s | events per CPU-second | peak RSS (MB) | peak live partial matches | matches | timeouts | output hash |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    );
    for (const s of result.abc)
      lines.push(
        `| ${s.impl} | ${fmtRate(s.eventsPerSecond.median)} | ${fmtRate(s.eventsPerSecond.min)} – ${fmtRate(
          s.eventsPerSecond.max,
        )} | ${s.cpuSeconds.toFixed(2)} | ${fmtRate(s.eventsPerCpuSecond)} | ${Math.round(s.peakRssMb)} | ${
          s.peakPartialMatches === undefined ? "–" : s.peakPartialMatches.toLocaleString("en-US")
        } | ${s.matches.toLocaleString("en-US")} | ${s.timeouts.toLocaleString("en-US")} | \`${s.hashes.join(", ")}\` |`,
      );
    const of = (impl: string) => result.abc.find((s) => s.impl === impl);
    const hand = of("hand-written");
    const p1 = of("eddy-p1");
    const p2 = of("eddy-p2");
    const ratio = (a: number | undefined, b: number | undefined) =>
      fmtRatio(a !== undefined && b !== undefined ? a / b : undefined);
    const abcAgree = new Set(result.abc.flatMap((s) => s.hashes)).size === 1;
    lines.push(
      "",
      `eddy-p1 / hand-written: **${ratio(p1?.eventsPerSecond.median, hand?.eventsPerSecond.median)}** of events/s, ` +
        `${ratio(p1?.eventsPerCpuSecond, hand?.eventsPerCpuSecond)} of events per CPU-second; ` +
        `eddy-p2 / eddy-p1: ${ratio(p2?.eventsPerSecond.median, p1?.eventsPerSecond.median)}; ` +
        `output hashes ${abcAgree ? "agree" : "**DISAGREE**"}.`,
    );
  }
  if (result.any.length > 0) {
    lines.push(
      "",
      `### CEP stress: a followedByAny b.oneOrMore().allowCombinations() followedBy c within(${CEP_ANY.windowMs} ms), ` +
        `${CEP_ANY.keys} users, eddy-p1 (median of ${runs} run(s))`,
      "",
      "| events | maxPartialMatchesPerKey | CPU s | wall s | peak RSS (MB) | peak live partial matches (sampled) | timed out | discarded by the cap | matches | output hash |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    );
    for (const s of result.any)
      lines.push(
        `| ${s.events.toLocaleString("en-US")} | ${s.cap ?? "none"} | ${s.cpuSeconds.toFixed(2)} | ${s.seconds.toFixed(
          1,
        )} | ${Math.round(s.peakRssMb)} | ${(s.peakPartialMatches ?? 0).toLocaleString("en-US")} | ${s.timeouts.toLocaleString(
          "en-US",
        )} | ${(s.discardedByCap ?? 0).toLocaleString("en-US")} | ${s.matches.toLocaleString("en-US")} | \`${s.hashes.join(", ")}\` |`,
      );
    lines.push(
      "",
      "Live partial matches: the cep.partialMatches gauge (NFA computation states: a partial match waiting in two " +
        "NFA states counts twice), sampled every 20 ms from the job's progress while the source, throttled, spreads " +
        "the input over 3 s; the last events are matched at the final watermark, after the last sample. Timed out " +
        "(cep.timeouts) counts distinct partial matches; the uncapped inputs span less than the window, so there it " +
        `is every partial match alive when the input ended. With the cap a user holds at most ${CEP_ANY_CAP} ` +
        `(${CEP_ANY.keys * CEP_ANY_CAP} in all).`,
    );
  }
  return lines;
}
