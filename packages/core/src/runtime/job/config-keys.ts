/**
 * The configuration keys a job module takes (part of the job-module contract, job-module.ts). A module may declare them next to its default export:
 *
 *   export const config = {
 *     readings: { default: 200_000, description: "how many readings to generate" },
 *     output: { description: "where the averages go (an NDJSON file)" },
 *   };
 *
 * Then a `--set` key it does not declare is a usage error naming the keys it knows (a typo such as
 * `--set reading=5000` no longer runs the job with its default), and declared defaults fill keys
 * nobody set. A module that declares nothing gets a warning instead, listing the `--set` keys its
 * factory never read (reads are tracked on the config object it is given).
 */
import { JobModuleError, UnknownConfigKeyError } from "../../errors.ts";

type JobConfig = Record<string, unknown>;

export interface ConfigKeySpec {
  /** The value when no file, variable or flag sets the key. */
  readonly default?: unknown;
  /** What the key means, for error messages and help. */
  readonly description?: string;
}

/** A module's `config` export: key -> spec. */
export type ConfigKeys = Readonly<Record<string, ConfigKeySpec>>;

/** The module's declared keys, or undefined when it declares none; throws when malformed. */
export function declaredConfigKeys(path: string, exported: unknown): ConfigKeys | undefined {
  if (exported === undefined) return undefined;
  const malformed = (why: string) =>
    new JobModuleError(
      path,
      `its 'config' export ${why}: declare the job's keys as ` +
        "export const config = { key: { default: value, description: 'what it is' } }",
    );
  if (typeof exported !== "object" || exported === null || Array.isArray(exported))
    throw malformed("is not an object");
  for (const [key, spec] of Object.entries(exported))
    if (typeof spec !== "object" || spec === null || Array.isArray(spec))
      throw malformed(
        `gives '${key}' ${spec === null ? "null" : typeof spec}, not { default?, description? }`,
      );
  return exported as ConfigKeys;
}

/**
 * With declared keys: every `--set` key must be one of them (else a UsageError naming them), and
 * declared defaults fill what nobody set. Returns the configuration the factory gets.
 */
export function applyDeclaredKeys(
  keys: ConfigKeys,
  config: JobConfig,
  setKeys: readonly string[],
): JobConfig {
  const known = Object.keys(keys);
  const unknown = setKeys.filter((k) => !Object.hasOwn(keys, k));
  if (unknown.length > 0) {
    const [first] = unknown;
    const close = known.find((k) => similar(k, first));
    throw new UnknownConfigKeyError(
      unknown,
      `unknown configuration key${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")} (--set): ` +
        `the job takes ${known.length === 0 ? "no keys" : known.map(describeKey(keys)).join(", ")}` +
        (close === undefined ? "" : `; did you mean '${close}'?`),
    );
  }
  const withDefaults: JobConfig = {};
  for (const [key, spec] of Object.entries(keys))
    if (spec.default !== undefined) withDefaults[key] = spec.default;
  return { ...withDefaults, ...config };
}

function describeKey(keys: ConfigKeys): (key: string) => string {
  return (key) => {
    const spec = keys[key];
    const parts: string[] = [];
    if (spec.description !== undefined) parts.push(spec.description);
    if (spec.default !== undefined) parts.push(`default ${JSON.stringify(spec.default)}`);
    return parts.length === 0 ? `'${key}'` : `'${key}' (${parts.join(", ")})`;
  };
}

/** One edit apart, or the same ignoring case: worth a "did you mean". */
function similar(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return a.length - i - j <= 1 && b.length - i - j <= 1;
}

/** A view of `config` that records which keys were read (get, `in`, or a listing of the keys). */
export function trackReads(config: Readonly<JobConfig>): { config: Readonly<JobConfig>; read: Set<string> } {
  const read = new Set<string>();
  const tracked = new Proxy(config, {
    get(target, key, receiver) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      // A factory that lists or spreads its config has seen every key.
      for (const key of Reflect.ownKeys(target)) if (typeof key === "string") read.add(key);
      return Reflect.ownKeys(target);
    },
  });
  return { config: tracked, read };
}

/** The warning for `--set` keys a factory that declares no keys never read, or undefined. */
export function unreadKeysWarning(setKeys: readonly string[], read: ReadonlySet<string>): string | undefined {
  const unread = setKeys.filter((k) => !read.has(k));
  if (unread.length === 0) return undefined;
  const readKeys = [...read].filter((k) => !k.startsWith("__") && k !== "then" && k !== "constructor");
  return (
    `the job never read ${unread.map((k) => `--set ${k}`).join(", ")}` +
    (readKeys.length === 0 ? "" : ` (it read ${readKeys.map((k) => `'${k}'`).join(", ")})`) +
    ": check the spelling; a job module that declares its keys (export const config = { key: { default, description } }) " +
    "makes an unknown key an error"
  );
}
