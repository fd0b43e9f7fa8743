/**
 * A job's configuration: the plain JSON object a job factory receives as `context.config`.
 * It comes from outside the job, merged from three places, later ones winning:
 *   1. a JSON file (`--config file.json`), which must hold an object;
 *   2. environment variables `EDDY_CONFIG_<KEY>`, the key in camelCase
 *      (`EDDY_CONFIG_MAX_DELAY` sets `maxDelay`);
 *   3. `--set key=value` flags.
 * Values from the environment and flags are JSON when they parse as JSON (`1000`, `true`,
 * `[1,2]`, `"text"`), and strings otherwise. Keys are flat: `a.b` is the key "a.b".
 */
import { readFile } from "node:fs/promises";
import { ConfigFileError } from "./errors.ts";

export type JobConfig = Record<string, unknown>;

export const CONFIG_ENV_PREFIX = "EDDY_CONFIG_";

export interface JobConfigSources {
  /** Path of a JSON file holding an object. */
  readonly file?: string;
  /** The environment to read `EDDY_CONFIG_*` variables from (usually process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values set on the command line, already parsed with `parseConfigValue`. */
  readonly overrides?: Readonly<JobConfig>;
}

export async function resolveJobConfig(sources: JobConfigSources): Promise<JobConfig> {
  const fromFile = sources.file === undefined ? {} : await readConfigFile(sources.file);
  return { ...fromFile, ...configFromEnv(sources.env ?? {}), ...sources.overrides };
}

export async function readConfigFile(path: string): Promise<JobConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigFileError(path, `cannot read it (${reason}): check the path`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(path, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ConfigFileError(
      path,
      `must hold a JSON object such as {"readings": 1000}, not ${Array.isArray(value) ? "an array" : String(value)}`,
    );
  return value as JobConfig;
}

/** `EDDY_CONFIG_MAX_DELAY=5000` → `{ maxDelay: 5000 }`. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): JobConfig {
  const config: JobConfig = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(CONFIG_ENV_PREFIX) || value === undefined) continue;
    const key = envNameToKey(name.slice(CONFIG_ENV_PREFIX.length));
    if (key !== "") config[key] = parseConfigValue(value);
  }
  return config;
}

/** `MAX_DELAY` → `maxDelay`, `READINGS` → `readings`. */
export function envNameToKey(name: string): string {
  return name
    .toLowerCase()
    .split("_")
    .filter((part) => part !== "")
    .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
    .join("");
}

/** JSON when the text parses as JSON, the text itself otherwise. */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
