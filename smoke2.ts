import { runJobModule, loadJobModule, runJob } from "./packages/core/src/index.ts";
const url = new URL("./packages/core/test/runtime/fixtures/keyed-count-job.ts", import.meta.url).href;
const j = await loadJobModule(url, { config: { records: 500000 } });
let t = performance.now();
const r = await runJob(j);
console.log("inproc", r.collected<[string, number]>("out").length, Math.round(performance.now() - t));
for (const p of [1, 2, 4]) {
  t = performance.now();
  const r = await runJobModule(url, { parallelism: p, config: { records: 500000 } });
  const out = r.collected<[string, number]>("out");
  console.log(p, out.length, out.reduce((m, o) => Math.max(m, o[1]), 0), Math.round(performance.now() - t), "ms");
}
