/**
 * The CEP benchmark as an eddy job, written with the public API as a user would: a generator
 * source, timestamps and bounded-out-of-orderness watermarks, `keyBy(user)`, `CEP.pattern(...)`,
 * and a digest sink over the matches and the timed-out partial matches. Also the job module that
 * builds it in every worker thread (`runJobModule(url, { parallelism, config })`).
 *
 * Operator uids: "events", "watermarks", "cep" (its metrics: cep.partialMatches,
 * cep.discardedByCap, ...), "digest" (the sink whose parts the job result holds).
 */
import { CEP, Pattern } from "@eddy/cep";
import { type DataStream, Job, type JobContext, OutputTag, WatermarkStrategy } from "@eddy/core";
import { DigestSink } from "../nexmark/digest-sink.ts";
import {
  type CepEvent,
  type CepRow,
  type CepWorkload,
  cepEvent,
  cepWorkload,
  digestCepRow,
  maxOutOfOrderness,
} from "./workload.ts";

export const CEP_UID = "cep";
export const DIGEST_UID = "digest";

export interface CepJobConfig {
  readonly workload: CepWorkload["name"];
  readonly events: number;
  readonly seed: number;
  /** maxPartialMatchesPerKey; none when absent. */
  readonly cap?: number;
  /** Wall-clock throttle of the source (the cep-any runs, so that progress samples see the growth). */
  readonly eventsPerSecond?: number;
  /** The job's autoWatermarkIntervalMs (default 200). */
  readonly watermarkIntervalMs?: number;
}

const isA = (e: CepEvent) => e.kind === "a";
const isB = (e: CepEvent) => e.kind === "b";
const isC = (e: CepEvent) => e.kind === "c";

/** `a followedBy b followedBy c within(window)`. */
export const abcPattern = (windowMs: number) =>
  Pattern.begin<CepEvent, "a">("a")
    .where(isA)
    .followedBy("b")
    .where(isB)
    .followedBy("c")
    .where(isC)
    .within(windowMs);

/** `a followedByAny b.oneOrMore().allowCombinations() followedBy c within(window)`. */
export const anyPattern = (windowMs: number) =>
  Pattern.begin<CepEvent, "a">("a")
    .where(isA)
    .followedByAny("b")
    .where(isB)
    .oneOrMore()
    .allowCombinations()
    .followedBy("c")
    .where(isC)
    .within(windowMs);

export function buildCepJob(config: CepJobConfig): Job {
  const w = cepWorkload(config.workload);
  const { seed } = config;
  const job = Job.create({
    name: w.name,
    ...(config.watermarkIntervalMs === undefined
      ? {}
      : { autoWatermarkIntervalMs: config.watermarkIntervalMs }),
  });
  const events = job
    .fromGenerator<CepEvent>(
      {
        count: config.events,
        seed,
        generate: (i, random) => cepEvent(w, seed, i, random),
        ...(config.eventsPerSecond === undefined ? {} : { recordsPerSecond: config.eventsPerSecond }),
      },
      "events",
    )
    .uid("events")
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<CepEvent>(maxOutOfOrderness(w)).withTimestamp((e) => e.ts),
    )
    .uid("watermarks")
    .keyBy((e) => e.user);
  const options = config.cap === undefined ? {} : { maxPartialMatchesPerKey: config.cap };
  let rows: DataStream<CepRow>;
  if (w.name === "cep-abc") {
    const timeouts = new OutputTag<CepRow>("timeouts");
    const matches = CEP.pattern(events, abcPattern(w.windowMs), options)
      .select(
        timeouts,
        (p, timeoutTs): CepRow => {
          const a = p.a[0];
          return {
            kind: 1,
            user: a.user,
            a: a.id,
            b: p.b.length === 0 ? -1 : p.b[0].id,
            c: -1,
            ts: timeoutTs,
          };
        },
        (m): CepRow => {
          const c = m.c[0];
          return { kind: 0, user: c.user, a: m.a[0].id, b: m.b[0].id, c: c.id, ts: c.ts };
        },
      )
      .uid(CEP_UID);
    rows = matches.union(matches.getSideOutput(timeouts));
  } else {
    rows = CEP.pattern(events, anyPattern(w.windowMs), options)
      .select((m): CepRow => {
        let sum = 0;
        for (const b of m.b) sum += b.id;
        const c = m.c[0];
        return { kind: 0, user: c.user, a: m.a[0].id, b: m.b.length, c: c.id, ts: sum };
      })
      .uid(CEP_UID);
  }
  rows.sinkTo(new DigestSink(digestCepRow)).uid(DIGEST_UID);
  return job;
}

export default ({ config }: JobContext) => buildCepJob(config as unknown as CepJobConfig);
