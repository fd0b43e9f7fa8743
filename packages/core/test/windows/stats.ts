import fc from "fast-check";
import { windowOracle } from "./oracle.ts";
import { scenarioArb, slidingArb, tumblingArb, sessionArb } from "./window-job.ts";
for (const [name, arb] of [["tumbling", tumblingArb], ["sliding", slidingArb], ["session", sessionArb]] as const) {
  const samples = fc.sample(scenarioArb(arb as any), 300);
  let withLate = 0, withRefire = 0, firings = 0, n = 0;
  for (const s of samples) {
    const o = windowOracle(s.events.map((e) => ({ id: e.id, key: e.k, ts: e.ts })), s.windows, s.outOfOrderness, s.lateness);
    if (o.late.length) withLate++;
    const seen = new Set<string>(); let re = false;
    for (const f of o.firings) { const id = f.key + f.start + ":" + f.end; if (seen.has(id)) re = true; seen.add(id); }
    if (re) withRefire++;
    firings += o.firings.length; n += s.events.length;
  }
  console.log(name, { withLate, withRefire, firings, n, samples: samples.length });
}
