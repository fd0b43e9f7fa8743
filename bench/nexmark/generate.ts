/**
 * Writes Nexmark events as NDJSON to stdout (the future `eddy nexmark generate`):
 *
 *   node --import tsx bench/nexmark/generate.ts --events 1000000 --seed 42 > events.ndjson
 *
 * Options: --events N (required), --seed S (default 42), --profile R100K|R10M, --from K (first
 * event number, default 0). Output stops quietly when the reader goes away (`| head`).
 */
import { parseArgs } from "node:util";
import { DEFAULT_SEED, RATE_PROFILES, type RateProfile } from "./generator.ts";
import { writeNexmarkNdjson } from "./ndjson.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string" },
    seed: { type: "string", default: String(DEFAULT_SEED) },
    profile: { type: "string", default: "R100K" },
    from: { type: "string", default: "0" },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`nexmark generate: ${message}\n`);
  process.exit(2);
};
const integer = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < 0)
    fail(`--${name} needs a non-negative integer, got ${text}`);
  return n;
};
if (!(values.profile! in RATE_PROFILES))
  fail(`--profile must be one of ${Object.keys(RATE_PROFILES).join(", ")}`);
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
await writeNexmarkNdjson(
  {
    events: integer("events", values.events),
    seed: integer("seed", values.seed),
    from: integer("from", values.from),
    profile: values.profile as RateProfile,
  },
  process.stdout,
);
