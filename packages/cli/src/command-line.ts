/**
 * The command line as data: `parseCommandLine(argv)` turns the arguments after `eddy` into a
 * Command, or throws a UsageError that names the bad argument and carries the usage to print.
 * Nothing here reads files or runs jobs.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { DEFAULT_SEED, RATE_PROFILES, type RateProfile } from "@eddy/nexmark";
import { UsageError } from "./errors.ts";
import type { JobConfig } from "./job-config.ts";
import { parseConfigValue } from "./job-config.ts";
import {
  MAIN_SYNOPSIS,
  MAIN_USAGE,
  NEXMARK_GENERATE_SYNOPSIS,
  NEXMARK_GENERATE_USAGE,
  PLAN_SYNOPSIS,
  PLAN_USAGE,
  RUN_SYNOPSIS,
  RUN_USAGE,
  SAVEPOINT_USAGE,
} from "./usage.ts";

export type PlanFormat = "text" | "mermaid" | "both";

/** What `eddy run` and `eddy plan` share: the job module and how to configure it. */
export interface JobArguments {
  /** Path of the job module, as given. */
  readonly job: string;
  readonly parallelism?: number;
  readonly configFile?: string;
  /** `--set` values, parsed. */
  readonly overrides: JobConfig;
}

export type Command =
  | ({
      readonly kind: "run";
      readonly quiet: boolean;
      readonly checkpoints?: CheckpointArguments;
    } & JobArguments)
  | ({ readonly kind: "plan"; readonly format: PlanFormat } & JobArguments)
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" }
  | { readonly kind: "savepoint"; readonly jobName: string; readonly stop: boolean; readonly dir?: string }
  | ({ readonly kind: "nexmark-generate" } & NexmarkGenerateArguments);

/** `eddy nexmark generate`: which slice of which Nexmark stream to write, and where. */
export interface NexmarkGenerateArguments {
  readonly events: number;
  readonly seed: number;
  readonly profile: RateProfile;
  /** First event number. */
  readonly from: number;
  /** Output file; stdout when absent. */
  readonly out?: string;
}

const JOB_OPTIONS = {
  parallelism: { type: "string", short: "p" },
  config: { type: "string", short: "c" },
  set: { type: "string", short: "s", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      throw new UsageError("missing command: try `eddy run <job.ts>`", MAIN_SYNOPSIS);
    case "-h":
    case "--help":
      return { kind: "help", text: MAIN_USAGE };
    case "help":
      return { kind: "help", text: HELP_TOPICS[rest[0] ?? ""] ?? MAIN_USAGE };
    case "-v":
    case "--version":
      return { kind: "version" };
    case "run":
      return parseRun(rest);
    case "plan":
      return parsePlan(rest);
    case "savepoint":
      return parseSavepoint(rest);
    case "nexmark":
      return parseNexmark(rest);
    default:
      throw new UsageError(
        first.startsWith("-") ? `unknown option '${first}'` : `unknown command '${first}'`,
        MAIN_SYNOPSIS,
      );
  }
}

const HELP_TOPICS: Record<string, string> = {
  run: RUN_USAGE,
  plan: PLAN_USAGE,
  savepoint: SAVEPOINT_USAGE,
  nexmark: NEXMARK_GENERATE_USAGE,
};

/** `eddy run`'s checkpoint flags: on when an interval or a directory is given. */
export interface CheckpointArguments {
  readonly intervalMs: number;
  readonly dir?: string;
  /** Start afresh instead of resuming from the latest checkpoint. */
  readonly fresh: boolean;
  /** Resume from this savepoint instead. */
  readonly fromSavepoint?: string;
  /** Drop savepoint state whose operator is no longer in the job. */
  readonly allowNonRestoredState?: boolean;
  /** Resume a checkpoint even though the job's configuration changed. */
  readonly allowConfigChange?: boolean;
  /** Checkpoint failures in a row the job survives (default: any number). */
  readonly tolerableFailures?: number;
}

function parseRun(args: readonly string[]): Command {
  const { values, positionals } = parse(
    args,
    {
      ...JOB_OPTIONS,
      quiet: { type: "boolean", short: "q" },
      "checkpoint-interval": { type: "string" },
      "checkpoint-dir": { type: "string" },
      fresh: { type: "boolean" },
      "from-savepoint": { type: "string" },
      "allow-non-restored-state": { type: "boolean" },
      "allow-config-change": { type: "boolean" },
      "tolerable-checkpoint-failures": { type: "string" },
    },
    RUN_SYNOPSIS,
  );
  if (values.help) return { kind: "help", text: RUN_USAGE };
  const interval = values["checkpoint-interval"];
  const dir = values["checkpoint-dir"];
  const fromSavepoint = values["from-savepoint"];
  const tolerable = values["tolerable-checkpoint-failures"];
  const tolerableFailures = tolerable === undefined ? undefined : Number(tolerable);
  if (tolerableFailures !== undefined && (!Number.isInteger(tolerableFailures) || tolerableFailures < 0))
    throw new UsageError(
      `--tolerable-checkpoint-failures must be a whole number of failed checkpoints in a row such as 0 or 3, not '${tolerable}'`,
      RUN_SYNOPSIS,
    );
  let checkpoints: CheckpointArguments | undefined;
  if (interval !== undefined || dir !== undefined || fromSavepoint !== undefined) {
    const intervalMs = interval === undefined ? 1000 : Number(interval);
    if (!Number.isInteger(intervalMs) || intervalMs < 1)
      throw new UsageError(
        `--checkpoint-interval must be a positive number of milliseconds such as 1000, not '${interval}'`,
        RUN_SYNOPSIS,
      );
    checkpoints = {
      intervalMs,
      dir: dir === undefined ? undefined : String(dir),
      fresh: values.fresh === true,
      ...(fromSavepoint === undefined ? {} : { fromSavepoint: String(fromSavepoint) }),
      ...(values["allow-non-restored-state"] ? { allowNonRestoredState: true } : {}),
      ...(values["allow-config-change"] ? { allowConfigChange: true } : {}),
      ...(tolerableFailures === undefined ? {} : { tolerableFailures }),
    };
  } else if (values.fresh)
    throw new UsageError("--fresh needs checkpoints: add --checkpoint-interval <ms>", RUN_SYNOPSIS);
  else if (tolerableFailures !== undefined)
    throw new UsageError(
      "--tolerable-checkpoint-failures needs checkpoints: add --checkpoint-interval <ms>",
      RUN_SYNOPSIS,
    );
  return {
    kind: "run",
    quiet: values.quiet === true,
    ...(checkpoints === undefined ? {} : { checkpoints }),
    ...jobArguments("run", values, positionals, RUN_SYNOPSIS),
  };
}

function parseSavepoint(args: readonly string[]): Command {
  const { values, positionals } = parse(
    args,
    { stop: { type: "boolean" }, dir: { type: "string" }, help: { type: "boolean", short: "h" } },
    SAVEPOINT_USAGE,
  );
  if (values.help) return { kind: "help", text: SAVEPOINT_USAGE };
  if (positionals.length !== 1)
    throw new UsageError("eddy savepoint needs the name of one running job", SAVEPOINT_USAGE);
  return {
    kind: "savepoint",
    jobName: positionals[0],
    stop: values.stop === true,
    ...(values.dir === undefined ? {} : { dir: String(values.dir) }),
  };
}

function parseNexmark(args: readonly string[]): Command {
  const [sub, ...rest] = args;
  if (sub === "-h" || sub === "--help") return { kind: "help", text: NEXMARK_GENERATE_USAGE };
  if (sub !== "generate")
    throw new UsageError(
      sub === undefined
        ? "missing nexmark command: try `eddy nexmark generate --events 1000`"
        : `unknown nexmark command '${sub}': did you mean \`eddy nexmark generate\`?`,
      NEXMARK_GENERATE_SYNOPSIS,
    );
  const usage = NEXMARK_GENERATE_SYNOPSIS;
  const { values, positionals } = parse(
    rest,
    {
      events: { type: "string" },
      seed: { type: "string" },
      profile: { type: "string" },
      from: { type: "string" },
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
    },
    usage,
  );
  if (values.help) return { kind: "help", text: NEXMARK_GENERATE_USAGE };
  if (positionals.length > 0)
    throw new UsageError(
      `eddy nexmark generate takes no arguments besides its options, got '${positionals[0]}'` +
        (/^\d+$/.test(positionals[0]) ? ` (the number of events goes in --events ${positionals[0]})` : ""),
      usage,
    );
  if (values.events === undefined)
    throw new UsageError(
      "missing --events: say how many events to write, for example --events 1000000",
      usage,
    );
  const events = parseCount("--events", String(values.events), "1000000", usage);
  const seed = values.seed === undefined ? DEFAULT_SEED : parseSeed(String(values.seed), usage);
  const from = values.from === undefined ? 0 : parseCount("--from", String(values.from), "5000", usage);
  const profile = values.profile === undefined ? "R100K" : String(values.profile);
  if (!Object.hasOwn(RATE_PROFILES, profile))
    throw new UsageError(
      `--profile must be ${Object.keys(RATE_PROFILES).join(" or ")}, not '${profile}'`,
      usage,
    );
  if (!Number.isSafeInteger(from + events))
    throw new UsageError(`--from plus --events must stay below 2^53, not ${from} + ${events}`, usage);
  const out = values.out === undefined ? undefined : String(values.out);
  if (out === "") throw new UsageError("--out needs a file name, for example --out events.ndjson", usage);
  return {
    kind: "nexmark-generate",
    events,
    seed,
    profile: profile as RateProfile,
    from,
    ...(out === undefined ? {} : { out }),
  };
}

/** A non-negative integer written in decimal digits (underscores between digits allowed: 1_000_000). */
function parseCount(flag: string, text: string, example: string, usage: string): number {
  const value = Number(text.replaceAll("_", ""));
  if (!/^\d+(_\d+)*$/.test(text) || !Number.isSafeInteger(value))
    throw new UsageError(`${flag} must be a non-negative integer such as ${example}, not '${text}'`, usage);
  return value;
}

function parseSeed(text: string, usage: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value))
    throw new UsageError(`--seed must be an integer such as ${DEFAULT_SEED}, not '${text}'`, usage);
  return value;
}

function parsePlan(args: readonly string[]): Command {
  const options = { ...JOB_OPTIONS, text: { type: "boolean" }, mermaid: { type: "boolean" } } as const;
  const { values, positionals } = parse(args, options, PLAN_SYNOPSIS);
  if (values.help) return { kind: "help", text: PLAN_USAGE };
  const format: PlanFormat = values.text === values.mermaid ? "both" : values.text ? "text" : "mermaid";
  return { kind: "plan", format, ...jobArguments("plan", values, positionals, PLAN_SYNOPSIS) };
}

type ParsedValues = { [name: string]: string | boolean | (string | boolean)[] | undefined };

function parse(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  usage: string,
): { values: ParsedValues; positionals: string[] } {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // node:util's wording names the flag; for an unknown one it goes on about positionals.
    const option = /'([^']+)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option !== undefined)
      throw new UsageError(`unknown option '${option}'`, usage);
    // "-p -2": node:util calls the value ambiguous and suggests its own syntax; say what is wrong.
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined && /ambiguous/.test(message)) {
      const value = args[args.indexOf(option) + 1] ?? "";
      if (option === "-p" || option === "--parallelism") parseParallelism(value, usage);
      throw new UsageError(
        `option '${option}' is followed by '${value}', which looks like an option, not its value: ` +
          `give '${option}' a value, or write '${option}=${value}' if the value starts with a dash`,
        usage,
      );
    }
    throw new UsageError(lowerFirst(message), usage);
  }
}

function jobArguments(
  command: string,
  values: ParsedValues,
  positionals: readonly string[],
  usage: string,
): JobArguments {
  if (positionals.length === 0)
    throw new UsageError(`missing job module: eddy ${command} <job.ts|job.js>`, usage);
  if (positionals.length > 1)
    throw new UsageError(
      `one job module at a time, got ${positionals.length}: ${positionals.map((p) => `'${p}'`).join(", ")}`,
      usage,
    );
  return {
    job: positionals[0],
    parallelism:
      values.parallelism === undefined ? undefined : parseParallelism(String(values.parallelism), usage),
    configFile: values.config === undefined ? undefined : String(values.config),
    overrides: parseSets((values.set as string[] | undefined) ?? [], usage),
  };
}

export function parseParallelism(text: string, usage: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`--parallelism must be a positive integer such as 2, not '${text}'`, usage);
  return value;
}

function parseSets(sets: readonly string[], usage: string): JobConfig {
  const config: JobConfig = {};
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0)
      throw new UsageError(`--set takes key=value (for example --set readings=1000), not '${set}'`, usage);
    config[set.slice(0, eq).trim()] = parseConfigValue(set.slice(eq + 1));
  }
  return config;
}

function lowerFirst(text: string): string {
  return text.length === 0 ? text : text[0].toLowerCase() + text.slice(1);
}
