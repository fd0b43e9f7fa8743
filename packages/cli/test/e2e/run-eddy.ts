/** Runs the real `eddy` launcher as a child process from the repository root, for end-to-end tests. */
import { type ChildProcess, spawn } from "node:child_process";

export const REPO_ROOT = new URL("../../../../", import.meta.url).pathname;
const BIN = "packages/cli/bin/eddy.mjs";

export interface EddyRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without EDDY_* variables of the person running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("EDDY_")) env[k] = v;
  return { ...env, ...extra };
}

export function spawnEddy(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: "pipe" });
}

export function finished(child: ChildProcess): Promise<EddyRun> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function eddy(args: readonly string[], env: Record<string, string> = {}): Promise<EddyRun> {
  return finished(spawnEddy(args, env));
}
