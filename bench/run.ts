/**
 * The benchmark suite (never part of `npm test`). For now: the map-filter-keyBy-reduce chain on
 * generated data, eddy at parallelism 1 in-process and on 1 and 2 worker threads, against a
 * hand-written loop doing the same work. Prints records/s, CPU seconds and records per CPU-second.
 * Usage: npm run bench [-- --records N --runs R]
 */
import { parseArgs } from "node:util";
import { runJob, runJobModule } from "../packages/core/src/index.ts";
import { buildChainJob, CountingSink } from "./jobs/chain-job.ts";

const { values } = parseArgs({
  options: { records: { type: "string", default: "2000000" }, runs: { type: "string", default: "5" } },
});
const records = Number(values.records);
const runs = Number(values.runs);

interface Measurement {
  seconds: number;
  cpuSeconds: number;
}

async function measure(run: () => Promise<void> | void): Promise<Measurement> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function handWritten(): number {
  // The same generator logic and operator logic, fused by hand into one loop.
  const sums = new Map<number, { id: number; key: number; value: number }>();
  let out = 0;
  for (let i = 0; i < records; i++) {
    const r = { id: i, key: i % 1000, value: i & 0xff };
    const m = { id: r.id, key: r.key, value: r.value * 2 };
    if (m.value % 3 === 0) continue;
    const prev = sums.get(m.key);
    const next = prev === undefined ? m : { id: m.id, key: prev.key, value: prev.value + m.value };
    sums.set(m.key, next);
    out++;
  }
  return out;
}

const implementations: [string, () => Promise<void> | void][] = [
  ["hand-written loop", () => void handWritten()],
  [
    "eddy p=1 (in-process)",
    async () => {
      const sink = new CountingSink();
      await runJob(buildChainJob(records, sink));
    },
  ],
  [
    "eddy p=1 (worker)",
    async () =>
      void (await runJobModule(new URL("./jobs/chain-job.ts", import.meta.url).href, {
        parallelism: 1,
        config: { records },
      })),
  ],
  [
    "eddy p=2 (workers)",
    async () =>
      void (await runJobModule(new URL("./jobs/chain-job.ts", import.meta.url).href, {
        parallelism: 2,
        config: { records },
      })),
  ],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`map-filter-keyBy-reduce chain, ${records.toLocaleString()} records, median of ${runs} runs`);
console.log("| implementation | records/s (median) | min | max | records per CPU-second* |");
console.log("|---|---|---|---|---|");
for (const [name, run] of implementations) {
  const rates: number[] = [];
  const perCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const m = await measure(run);
    rates.push(records / m.seconds);
    perCpu.push(records / m.cpuSeconds);
  }
  const fmt = (n: number) => Math.round(n).toLocaleString();
  console.log(
    `| ${name} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))} | ${fmt(Math.max(...rates))} | ${fmt(median(perCpu))} |`,
  );
}
console.log("* CPU of this process, all threads (process.cpuUsage includes worker threads).");
