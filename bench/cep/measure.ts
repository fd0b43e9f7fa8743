/**
 * One measured CEP run, in a fresh process (bench/cep/suite.ts spawns one per run, as
 * bench/run-one.ts does for the Nexmark queries). Prints one JSON line on stdout.
 *
 *   node --conditions=eddy-source --import tsx bench/cep/measure.ts --case cep-abc --impl eddy-p1 --events 1000000
 *   node --conditions=eddy-source --import tsx bench/cep/measure.ts --case cep-abc --impl hand-written --events 1000000
 *   node --conditions=eddy-source --import tsx bench/cep/measure.ts --case cep-any --events 169 --cap 100
 *
 * The run is timed around the whole implementation: generating the events (in the measured
 * process), matching, and digesting the output; for eddy-p2 also starting the worker threads.
 * CPU seconds are of every thread of the process; peak RSS is the process's high-water mark.
 */
import { parseArgs } from "node:util";
import {
  CEP_IMPLEMENTATIONS,
  type CepImplementation,
  type CepMetrics,
  type CepOutcome,
  runCepAbc,
  runCepAny,
} from "./implementations.ts";

export interface CepRunResult {
  readonly case: "cep-abc" | "cep-any";
  readonly impl: string;
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
  readonly hash: string;
  readonly matches: number;
  readonly timeouts: number;
  /** cep-any: maxPartialMatchesPerKey (absent: uncapped). */
  readonly cap?: number;
  /** eddy: the CEP operator's metrics from the job result. */
  readonly metrics?: CepMetrics;
  /** eddy: the highest live partial matches of the progress samples. */
  readonly peakPartialMatches?: number;
}

const { values } = parseArgs({
  options: {
    case: { type: "string", default: "cep-abc" },
    impl: { type: "string", default: "eddy-p1" },
    events: { type: "string" },
    seed: { type: "string", default: "42" },
    cap: { type: "string" },
  },
});
const seed = Number(values.seed);
const which = values.case;
if (which !== "cep-abc" && which !== "cep-any") throw new Error(`--case is cep-abc or cep-any, not ${which}`);
const events = Number(values.events ?? (which === "cep-abc" ? 1_000_000 : 169));
if (!(Number.isSafeInteger(events) && events > 0)) throw new Error(`--events takes a positive integer`);
const cap = values.cap === undefined ? undefined : Number(values.cap);
const impl = values.impl as CepImplementation;
if (which === "cep-abc" && ![...CEP_IMPLEMENTATIONS, "eddy-p2-local"].includes(impl))
  throw new Error(`--impl is one of ${CEP_IMPLEMENTATIONS.join(", ")}, not ${impl}`);
if (which === "cep-any" && impl !== "eddy-p1") throw new Error("cep-any runs eddy-p1 only");

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcome: CepOutcome =
  which === "cep-abc" ? await runCepAbc(impl, events, seed) : await runCepAny({ events, seed, cap });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const result: CepRunResult = {
  case: which,
  impl,
  events,
  seconds,
  cpuSeconds,
  eventsPerSecond: events / seconds,
  eventsPerCpuSecond: events / cpuSeconds,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  hash: outcome.hash,
  matches: outcome.matches,
  timeouts: outcome.timeouts,
  ...(cap === undefined ? {} : { cap }),
  ...(outcome.metrics === undefined ? {} : { metrics: outcome.metrics }),
  ...(outcome.peakPartialMatches === undefined ? {} : { peakPartialMatches: outcome.peakPartialMatches }),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
