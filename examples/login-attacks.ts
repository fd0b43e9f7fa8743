/**
 * Account-takeover detection with a CEP pattern: per user, three or more failed logins in a row
 * followed by a successful one, all within two minutes, is a suspect takeover; a run of failures
 * that never reaches a success within the window is reported as a blocked attack (a timed-out
 * partial match, on a side output).
 *
 * Login events arrive out of order (up to five seconds late); the pattern runs in event time, so
 * events are matched in timestamp order once the watermark has passed them, and the alerts are
 * the same on every run and at every parallelism.
 *
 *   npx eddy run examples/login-attacks.ts
 *   npx eddy run examples/login-attacks.ts --set logins=200000 -p 2
 */
import { CEP, Pattern, skipPastLastEvent } from "@eddy/cep";
import {
  ConfigError,
  GeneratorSource,
  Job,
  type JobContext,
  OutputTag,
  Time,
  WatermarkStrategy,
} from "@eddy/core";

export interface Login {
  user: string;
  ok: boolean;
  ip: string;
  timestamp: number;
}

export interface Takeover {
  user: string;
  failures: number;
  from: string;
  at: string;
}

export interface BlockedAttack {
  user: string;
  failures: number;
  until: string;
}

const START = Date.UTC(2024, 0, 1);
const USERS = 50;

/** Login `index`: users take turns; some users go through bursts of failures. */
export function login(index: number, random: { nextFloat(): number; nextInt(bound: number): number }): Login {
  const user = `user-${index % USERS}`;
  const attacked = Math.floor(index / (USERS * 20)) % 7 === (index % USERS) % 7;
  const ok = attacked ? random.nextFloat() < 0.15 : random.nextFloat() < 0.9;
  // a second apart per user, shuffled by up to five seconds
  const timestamp = START + index * 20 - random.nextInt(5_000);
  return { user, ok, ip: `10.0.${index % 7}.${random.nextInt(255)}`, timestamp };
}

/**
 * Three or more failures in a row, then a success, within two minutes. After a match, matching
 * resumes after its last event (skipPastLastEvent), so one attack is one alert, not one per
 * suffix of its failures.
 */
export const takeoverPattern = Pattern.begin<Login, "failures">("failures", skipPastLastEvent())
  .where((l) => !l.ok)
  .timesOrMore(3)
  .consecutive()
  .next("success")
  .where((l) => l.ok)
  .within(Time.minutes(2));

export const BLOCKED = new OutputTag<BlockedAttack>("blocked");

export default ({ config }: JobContext): Job => {
  const count = config.logins ?? 20_000;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)
    throw new ConfigError("logins", `must be a whole number of login events, not ${JSON.stringify(count)}`);

  const job = Job.create({ name: "login-attacks" });
  const takeovers = CEP.pattern(
    job
      .fromSource(
        new GeneratorSource<Login>({ count, seed: 11, generate: login }),
        WatermarkStrategy.forBoundedOutOfOrderness<Login>(5_000).withTimestamp((l) => l.timestamp),
        "logins",
      )
      .uid("logins")
      .keyBy((l) => l.user),
    takeoverPattern,
  ).select(
    BLOCKED,
    (partial, timeoutAt): BlockedAttack => ({
      user: partial.failures[0].user,
      failures: partial.failures.length,
      until: new Date(timeoutAt).toISOString(),
    }),
    (match): Takeover => ({
      user: match.success[0].user,
      failures: match.failures.length,
      from: match.success[0].ip,
      at: new Date(match.success[0].timestamp).toISOString(),
    }),
  );
  takeovers.uid("takeover-pattern").print("takeover");
  takeovers.getSideOutput(BLOCKED).print("blocked");
  return job;
};
