/**
 * A job's fingerprint: what a checkpoint must be resumed with to mean what it meant. It maps a
 * key to a stable text: `config.<key>` for each value of the configuration the job was built from
 * (JobContext.config), `job.errorHandling` (parallelism and where state lives change no result), and `source.<uid>` for what each source reads (its `describe()`:
 * paths, a generator's count and seed). Each checkpoint records it; a resume compares it with the
 * job's, so a rerun with another input or output is reported instead of continuing the old run.
 * Pure: no I/O.
 */
import type { OperatorSpec } from "../api/logical-plan.ts";
import type { PhysicalPlan } from "../plan/physical-plan.ts";

export type JobFingerprint = Readonly<Record<string, string>>;

export function fingerprintJob(
  plan: PhysicalPlan,
  config: Readonly<Record<string, unknown>> | undefined,
): JobFingerprint {
  // maxParallelism is not here: compatibility.ts refuses a change of it, with its own message.
  const fingerprint: Record<string, string> = { "job.errorHandling": String(plan.options.errorHandling) };
  for (const [key, value] of Object.entries(config ?? {})) fingerprint[`config.${key}`] = stable(value);
  for (const node of plan.nodes)
    if (node.spec.kind === "source") {
      const source = (node.spec as Extract<OperatorSpec, { kind: "source" }>).source;
      const described = source.describe?.();
      if (described !== undefined) fingerprint[`source.${node.uid}`] = described;
    }
  return fingerprint;
}

/** The differences `key: old → new`, in key order; empty when the fingerprints agree. */
export function fingerprintChanges(recorded: JobFingerprint, current: JobFingerprint): string[] {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(current)])].sort();
  const changes: string[] = [];
  for (const key of keys) {
    const was = recorded[key];
    const now = current[key];
    if (was !== now) changes.push(`${key}: ${was ?? "(not set)"} → ${now ?? "(not set)"}`);
  }
  return changes;
}

/** JSON with object keys sorted, so that equal values give equal text. */
function stable(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : typeof v === "bigint"
          ? `${v}n`
          : v,
    ) ?? String(value)
  );
}
