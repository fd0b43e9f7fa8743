/**
 * Runs one measurement (by default bench/run-one.ts) in a fresh `node` process and returns the
 * JSON line it prints last, so that one run's garbage, JIT state and peak memory never touch the
 * next.
 */
import { execFile } from "node:child_process";
import { basename } from "node:path";

const RUN_ONE = new URL("./run-one.ts", import.meta.url).pathname;

export function runChild<T>(args: readonly string[], script = RUN_ONE): Promise<T> {
  const name = basename(script, ".ts");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--conditions=eddy-source", "--import", "tsx", script, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${name} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(last) as T);
        } catch {
          reject(new Error(`${name} ${args.join(" ")} printed no result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}
