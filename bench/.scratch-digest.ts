import { NexmarkGenerator } from "./nexmark/generator.ts";
import { RowDigest } from "./nexmark/row-digest.ts";
const g = new NexmarkGenerator();
const n = 3_000_000;
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now(); let s = 0;
  for (let k = 0; k < n; k++) { const e = g.event(k); if (e.type === "bid") s += e.price; }
  const gen = performance.now() - t0;
  const d = new RowDigest();
  t0 = performance.now();
  for (let k = 0; k < n; k++) { const e = g.event(k); if (e.type === "bid") d.begin().num(e.auction).num(e.bidder).num(e.price).num(e.dateTime).end(); }
  const nums = performance.now() - t0;
  t0 = performance.now();
  for (let k = 0; k < n; k++) { const e = g.event(k); if (e.type === "bid") d.begin().num(e.auction).num(e.bidder).num(e.price).num(e.dateTime).str(e.extra).end(); }
  const all = performance.now() - t0;
  console.log("ns/event gen", (gen / n * 1e6).toFixed(0), "gen+nums", (nums / n * 1e6).toFixed(0), "gen+nums+str", (all / n * 1e6).toFixed(0));
}
