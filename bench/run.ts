/**
 * The benchmark suite (never part of `npm test`): Nexmark q0-q5, q7, q8, q11 and the lead's
 * map-filter-keyBy-reduce chain, each as the hand-written loop, RxJS (q0, q1, q2, q5, q7) and eddy
 * at parallelism 1 (in-process) and 2 (worker threads); then the window latency of q5 and q7 at
 * half of eddy's measured maximum rate. Then the checkpoint benchmarks (bench/checkpoint/suite.ts):
 * q5 with a checkpoint every second against none, and a checkpoint and restore of 1 M keys of
 * value state on the heap and LMDB backends. Every run is a fresh process (bench/run-one.ts);
 * runs are interleaved across implementations so that the machine's noise spreads over all of
 * them. Prints markdown tables and writes bench/results/latest.json.
 *
 *   npm run bench                          5 runs of 5 M events per query and implementation
 *   npm run bench -- --quick               1 run of 2 M events, 10 s latency runs, 100,000 keys (smoke)
 *   npm run bench -- --query q5,q7 --runs 3 --events 1000000 --impl eddy-p1,hand-written
 *   npm run bench -- --suite checkpoint    only the checkpoint benchmarks
 *   npm run bench -- --query cep           only the CEP benchmarks (bench/cep/suite.ts; cep-abc, cep-any)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { type CepSuiteResult, cepMarkdown, isCepQuery, runCepSuite } from "./cep/suite.ts";
import { type CheckpointSuiteResult, checkpointMarkdown, runCheckpointSuite } from "./checkpoint/suite.ts";
import { runChild } from "./child-run.ts";
import { fmtRate, fmtRatio, median } from "./figures.ts";
import { hasImplementation, IMPLEMENTATIONS } from "./nexmark/implementations.ts";
import { QUERIES } from "./nexmark/queries/index.ts";
import type { LatencyResult, RunResult } from "./run-one.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    query: { type: "string" },
    impl: { type: "string" },
    runs: { type: "string" },
    events: { type: "string" },
    seed: { type: "string", default: "42" },
    "no-latency": { type: "boolean", default: false },
    "latency-seconds": { type: "string" },
    suite: { type: "string", default: "nexmark,checkpoint,cep" },
    "checkpoint-keys": { type: "string" },
  },
});

const SUITES = ["nexmark", "checkpoint", "cep"];
const suites = values.suite!.split(",");
for (const suite of suites)
  if (!SUITES.includes(suite))
    throw new Error(`--suite takes ${SUITES.join(", ")} (comma-separated), not ${suite}`);

const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 5));
const events = Number(values.events ?? (quick ? 2_000_000 : 5_000_000));
const latencySeconds = Number(values["latency-seconds"] ?? (quick ? 10 : 60));
const checkpointKeys = Number(values["checkpoint-keys"] ?? (quick ? 100_000 : 1_000_000));
const wantedQueries = values.query?.split(",");
const wantedImpls = values.impl?.split(",");
/** `--query cep` (or cep-abc, cep-any) alone runs only the CEP benchmarks. */
const onlyCep = wantedQueries?.every(isCepQuery) === true;
const CHAIN = { name: "chain", title: "map-filter-keyBy-reduce chain (records)", flinkPerCore: undefined };
const queries = [
  ...QUERIES.map((q) => ({ name: q.name, title: q.title, flinkPerCore: q.flinkPerCore })),
  CHAIN,
].filter(
  (q) => suites.includes("nexmark") && (wantedQueries === undefined || wantedQueries.includes(q.name)),
);
const implsOf = (query: string) =>
  IMPLEMENTATIONS.filter(
    (impl) =>
      (wantedImpls === undefined || wantedImpls.includes(impl)) &&
      (query === "chain" ? impl !== "rxjs" : hasImplementation(query, impl)),
  );

interface Summary {
  query: string;
  impl: string;
  runs: number;
  eventsPerSecond: { median: number; min: number; max: number };
  cpuSeconds: number;
  eventsPerCpuSecond: number;
  peakRssMb: number;
  hashes: string[];
}

const results: RunResult[] = [];
const failures: string[] = [];
const started = Date.now();
if (queries.length > 0)
  console.error(
    `eddy benchmark: ${queries.map((q) => q.name).join(", ")}; ${events.toLocaleString()} events, ${runs} run(s) each`,
  );
for (const q of queries) {
  const impls = implsOf(q.name);
  for (let run = 0; run < runs; run++)
    for (const impl of impls) {
      const args = ["--query", q.name, "--impl", impl, "--events", String(events), "--seed", values.seed!];
      try {
        const r = await runChild<RunResult>(args);
        results.push(r);
        console.error(
          `  ${q.name} ${impl.padEnd(12)} run ${run + 1}/${runs}: ${fmtRate(r.eventsPerSecond)}/s, ` +
            `${r.cpuSeconds.toFixed(2)} CPU s, ${Math.round(r.peakRssMb)} MB, ${r.hash}`,
        );
      } catch (error) {
        failures.push((error as Error).message);
        console.error(
          `  ${q.name} ${impl} run ${run + 1}: FAILED ${(error as Error).message.split("\n")[0]}`,
        );
      }
    }
}

const summaries: Summary[] = [];
for (const q of queries)
  for (const impl of implsOf(q.name)) {
    const rs = results.filter((r) => r.query === q.name && r.impl === impl);
    if (rs.length === 0) continue;
    const rates = rs.map((r) => r.eventsPerSecond);
    summaries.push({
      query: q.name,
      impl,
      runs: rs.length,
      eventsPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
      eventsPerCpuSecond: median(rs.map((r) => r.eventsPerCpuSecond)),
      peakRssMb: median(rs.map((r) => r.peakRssMb)),
      hashes: [...new Set(rs.map((r) => r.hash))],
    });
  }
const summaryOf = (query: string, impl: string) =>
  summaries.find((s) => s.query === query && s.impl === impl);

// Latency: q5 and q7 throttled to half of eddy-p1's median rate.
const latency: LatencyResult[] = [];
if (!values["no-latency"])
  for (const query of ["q5", "q7"]) {
    const max = summaryOf(query, "eddy-p1")?.eventsPerSecond.median;
    if (max === undefined) continue;
    const rate = Math.round(max / 2);
    try {
      const args = [
        "--query",
        query,
        "--latency",
        "--rate",
        String(rate),
        "--seconds",
        String(latencySeconds),
      ];
      const r = await runChild<LatencyResult>(args);
      latency.push(r);
      console.error(
        `  ${query} latency at ${fmtRate(rate)}/s: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.windows} windows)`,
      );
    } catch (error) {
      failures.push((error as Error).message);
    }
  }

let checkpoint: CheckpointSuiteResult | undefined;
if (suites.includes("checkpoint") && !onlyCep) {
  checkpoint = await runCheckpointSuite({
    runs,
    events,
    keys: checkpointKeys,
    seed: Number(values.seed),
    intervalMs: 1000,
    log: (line) => console.error(line),
  });
  failures.push(...checkpoint.failures);
}

let cep: CepSuiteResult | undefined;
if (suites.includes("cep") && (wantedQueries === undefined || wantedQueries.some(isCepQuery))) {
  cep = await runCepSuite({
    runs,
    quick,
    ...(values.events === undefined ? {} : { events }),
    seed: Number(values.seed),
    ...(wantedQueries === undefined ? {} : { queries: wantedQueries }),
    ...(wantedImpls === undefined ? {} : { impls: wantedImpls }),
    log: (line) => console.error(line),
  });
  failures.push(...cep.failures);
}

// Markdown report.
const lines: string[] = [];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`;
if (queries.length > 0) {
  lines.push(
    `### Throughput (${events.toLocaleString()} events per run, median of ${runs} run(s), min–max; ${machine})`,
    "",
    "| query | implementation | events/s (median) | min – max | CPU s | events per CPU-second | peak RSS (MB) | output hash |",
    "|---|---|---:|---:|---:|---:|---:|---|",
  );
  for (const s of summaries)
    lines.push(
      `| ${s.query} | ${s.impl} | ${fmtRate(s.eventsPerSecond.median)} | ${fmtRate(s.eventsPerSecond.min)} – ${fmtRate(
        s.eventsPerSecond.max,
      )} | ${s.cpuSeconds.toFixed(2)} | ${fmtRate(s.eventsPerCpuSecond)} | ${Math.round(s.peakRssMb)} | \`${s.hashes.join(", ")}\` |`,
    );
  lines.push(
    "",
    "### Ratios and goals (eddy = eddy-p1 unless noted; per-core = events per CPU-second)",
    "",
    "| query | eddy / hand-written | eddy / RxJS | eddy-p2 / eddy-p1 | eddy per-core | Flink 2.x per-core | eddy / Flink per-core | hashes |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
  );
}
const agreement: Record<string, boolean> = {};
for (const q of queries) {
  const eddy = summaryOf(q.name, "eddy-p1");
  const hand = summaryOf(q.name, "hand-written");
  const rx = summaryOf(q.name, "rxjs");
  const p2 = summaryOf(q.name, "eddy-p2");
  const all = summaries.filter((s) => s.query === q.name).flatMap((s) => s.hashes);
  agreement[q.name] = new Set(all).size === 1;
  const ratio = (a?: Summary, b?: Summary) =>
    a && b ? a.eventsPerSecond.median / b.eventsPerSecond.median : undefined;
  lines.push(
    `| ${q.name} | ${fmtRatio(ratio(eddy, hand))} | ${fmtRatio(ratio(eddy, rx))} | ${fmtRatio(ratio(p2, eddy))} | ${
      eddy ? fmtRate(eddy.eventsPerCpuSecond) : "–"
    } | ${q.flinkPerCore ? fmtRate(q.flinkPerCore) : "–"} | ${fmtRatio(
      eddy && q.flinkPerCore ? eddy.eventsPerCpuSecond / q.flinkPerCore : undefined,
    )} | ${agreement[q.name] ? "agree" : "**DISAGREE**"} |`,
  );
}
if (latency.length > 0) {
  lines.push(
    "",
    `### Window latency (eddy-p1, source throttled to half the median eddy-p1 rate, ${latencySeconds} s)`,
    "",
    "| query | events/s | windows | p50 (ms) | p99 (ms) | max (ms) |",
    "|---|---:|---:|---:|---:|---:|",
  );
  for (const l of latency)
    lines.push(
      `| ${l.query} | ${fmtRate(l.eventsPerSecond)} | ${l.windows} | ${l.p50Ms} | ${l.p99Ms} | ${l.maxMs} |`,
    );
}
if (checkpoint !== undefined) {
  if (queries.length === 0) lines.push(`(${machine})`);
  lines.push(...checkpointMarkdown(checkpoint, runs));
}
if (cep !== undefined) {
  if (queries.length === 0 && checkpoint === undefined) lines.push(`(${machine})`);
  lines.push(...cepMarkdown(cep, runs));
}
console.log(lines.join("\n"));
if (failures.length > 0) console.error(`\n${failures.length} run(s) failed:\n${failures.join("\n")}`);

const outDir = new URL("./results/", import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(
  new URL("latest.json", outDir),
  `${JSON.stringify(
    {
      date: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        node: process.version,
        platform: process.platform,
      },
      options: { suites, events, runs, quick, seed: Number(values.seed), latencySeconds, checkpointKeys },
      summaries,
      agreement,
      latency,
      checkpoint:
        checkpoint === undefined
          ? undefined
          : { throughput: checkpoint.throughput, keyedState: checkpoint.keyedState },
      cep: cep === undefined ? undefined : { abc: cep.abc, any: cep.any, hashesAgree: cep.hashesAgree },
      runs: results,
      checkpointRuns: checkpoint?.runs,
      cepRuns: cep?.runs,
      failures,
    },
    null,
    2,
  )}\n`,
);
console.error(`\nwrote bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const disagreeing = Object.entries(agreement).filter(([, ok]) => !ok);
if (checkpoint !== undefined && !checkpoint.throughput.hashesAgree)
  disagreeing.push(["q5 checkpoints", false]);
if (cep !== undefined && !cep.hashesAgree) disagreeing.push(["cep", false]);
if (failures.length > 0 || disagreeing.length > 0) process.exitCode = 1;
