/**
 * `eddy plan` as a function: the physical plan of a job file as text (chains, operators, uids,
 * exchanges), as a Mermaid flowchart in a fenced block, or both.
 */
import { explainPlan, planJob, planToMermaid } from "@eddy/core";
import type { PlanFormat } from "./command-line.ts";
import { type JobFileOptions, openJobFile } from "./job-file.ts";

export interface PlanJobFileOptions extends JobFileOptions {
  /** Default "both". */
  readonly format?: PlanFormat;
}

export async function planJobFile(options: PlanJobFileOptions): Promise<string> {
  const { job } = await openJobFile(options);
  const plan = planJob(job, { parallelism: options.parallelism });
  const format = options.format ?? "both";
  const parts: string[] = [];
  if (format !== "mermaid") parts.push(explainPlan(plan));
  if (format !== "text") parts.push(`\`\`\`mermaid\n${planToMermaid(plan)}\n\`\`\``);
  return `${parts.join("\n\n")}\n`;
}
