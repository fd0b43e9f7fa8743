/**
 * The benchmark suite (never part of `npm test`): Nexmark q0-q5, q7, q8, q11 and the lead's
 * map-filter-keyBy-reduce chain, each as the hand-written loop, RxJS (q0, q1, q2, q5, q7) and eddy
 * at parallelism 1 (in-process) and 2 (worker threads); then the window latency of q5 and q7 at
 * half of eddy's measured maximum rate. Every run is a fresh process (bench/run-one.ts); runs are
 * interleaved across implementations so that the machine's noise spreads over all of them.
 * Prints markdown tables and writes bench/results/latest.json.
 *
 *   npm run bench                          5 runs of 5 M events per query and implementation
 *   npm run bench -- --quick               1 run of 2 M events, 10 s latency runs (smoke)
 *   npm run bench -- --query q5,q7 --runs 3 --events 1000000 --impl eddy-p1,hand-written
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
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
  },
});

const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 5));
const events = Number(values.events ?? (quick ? 2_000_000 : 5_000_000));
const latencySeconds = Number(values["latency-seconds"] ?? (quick ? 10 : 60));
const wantedQueries = values.query?.split(",");
const wantedImpls = values.impl?.split(",");
const CHAIN = { name: "chain", title: "map-filter-keyBy-reduce chain (records)", flinkPerCore: undefined };
const queries = [
  ...QUERIES.map((q) => ({ name: q.name, title: q.title, flinkPerCore: q.flinkPerCore })),
  CHAIN,
].filter((q) => wantedQueries === undefined || wantedQueries.includes(q.name));
const implsOf = (query: string) =>
  IMPLEMENTATIONS.filter(
    (impl) =>
      (wantedImpls === undefined || wantedImpls.includes(impl)) &&
      (query === "chain" ? impl !== "rxjs" : hasImplementation(query, impl)),
  );

function runOne(args: string[]): Promise<unknown> {
  const script = new URL("./run-one.ts", import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`run-one ${args.join(" ")} failed: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(last));
        } catch {
          reject(new Error(`run-one ${args.join(" ")} printed no result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtRate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${Math.round(n / 1e3)} K`);
const fmtRatio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2));

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
console.error(
  `eddy benchmark: ${queries.map((q) => q.name).join(", ")}; ${events.toLocaleString()} events, ${runs} run(s) each`,
);
for (const q of queries) {
  const impls = implsOf(q.name);
  for (let run = 0; run < runs; run++)
    for (const impl of impls) {
      const args = ["--query", q.name, "--impl", impl, "--events", String(events), "--seed", values.seed!];
      try {
        const r = (await runOne(args)) as RunResult;
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
      const r = (await runOne(args)) as LatencyResult;
      latency.push(r);
      console.error(
        `  ${query} latency at ${fmtRate(rate)}/s: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.windows} windows)`,
      );
    } catch (error) {
      failures.push((error as Error).message);
    }
  }

// Markdown report.
const lines: string[] = [];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`;
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
      options: { events, runs, quick, seed: Number(values.seed), latencySeconds },
      summaries,
      agreement,
      latency,
      runs: results,
      failures,
    },
    null,
    2,
  )}\n`,
);
console.error(`\nwrote bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const disagreeing = Object.entries(agreement).filter(([, ok]) => !ok);
if (failures.length > 0 || disagreeing.length > 0) process.exitCode = 1;
