import { runJobModule } from "./packages/core/src/index.ts";
const url = new URL("./packages/core/test/runtime/fixtures/keyed-count-job.ts", import.meta.url).href;
for (const n of [5000, 20000, 50000]) {
  const t = performance.now();
  const r = await runJobModule(url, { parallelism: 2, config: { records: n }, onProgress: (p) => console.log(n, JSON.stringify(p.operators.map(o => [o.recordsIn, o.recordsOut]))), progressIntervalMs: 1000 });
  console.log(n, r.collected("out").length, Math.round(performance.now() - t));
}
