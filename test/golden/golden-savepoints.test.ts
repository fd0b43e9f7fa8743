/**
 * Golden savepoints: every fixture under test/golden/savepoints/<example>/<name>/ is a savepoint of
 * an example job, written by an earlier version of eddy (scripts/make-golden-savepoints.ts), with
 * the lines the job printed before it and the lines of an uninterrupted run. Each is restored
 * here with the current code, through `eddy run --from-savepoint`, and what the restored job
 * prints, added to what was printed before the savepoint, must be the uninterrupted output. So a
 * change of a persisted format (operator state, split positions, the savepoint itself) either
 * reads the old format or fails here. See README.md beside this file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = join(ROOT, "test", "golden", "savepoints");
const EDDY = join(ROOT, "packages", "cli", "bin", "eddy.mjs");

interface Fixture {
  readonly example: string;
  readonly config: Record<string, unknown>;
  readonly parallelism: number;
  readonly contents?: string;
}

interface Found {
  readonly dir: string;
  readonly label: string;
  readonly fixture: Fixture;
}

function fixtures(): Found[] {
  const found: Found[] = [];
  for (const example of readdirSync(FIXTURES).sort())
    for (const name of readdirSync(join(FIXTURES, example)).sort()) {
      const dir = join(FIXTURES, example, name);
      const path = join(dir, "fixture.json");
      if (!existsSync(path)) continue;
      found.push({ dir, label: `${example}/${name}`, fixture: JSON.parse(readFileSync(path, "utf8")) });
    }
  return found;
}

function lines(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
}

/** Runs `eddy` from the repository root; resolves with its exit code and output when it exits. */
function eddy(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("EDDY_")) env[k] = v;
  const child = spawn(process.execPath, [EDDY, ...args], { cwd: ROOT, env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("golden savepoints of the examples restore with the current code", () => {
  const all = fixtures();

  it("include a CEP job with open partial matches", () => {
    const cep = all.filter((f) => f.fixture.example.endsWith("login-attacks.ts"));
    assert.ok(cep.length > 0, "a login-attacks fixture");
    for (const f of cep) assert.match(f.fixture.contents ?? "", /[1-9]\d* open partial matches/, f.label);
  });

  for (const { dir, label, fixture } of all)
    it(`${label}: the output before the savepoint and after restoring it is the uninterrupted output`, async () => {
      // A copy: restoring must not be able to change the committed fixture.
      const work = mkdtempSync(join(tmpdir(), "eddy-golden-"));
      try {
        const savepoint = join(work, "savepoint");
        cpSync(join(dir, "savepoint"), savepoint, { recursive: true });
        const sets = Object.entries(fixture.config).flatMap(([k, v]) => [
          "--set",
          `${k}=${JSON.stringify(v)}`,
        ]);
        const run = await eddy([
          "run",
          fixture.example,
          "-q",
          "-p",
          String(fixture.parallelism),
          ...sets,
          "--from-savepoint",
          savepoint,
          "--checkpoint-dir",
          join(work, "checkpoints"),
        ]);
        assert.equal(run.code, 0, run.stderr);
        const after = run.stdout.split("\n").filter((l) => l.length > 0);
        const before = lines(join(dir, "before.txt"));
        const expected = lines(join(dir, "expected.txt"));
        // Lines of different keys interleave differently from run to run: compared as multisets.
        assert.deepEqual([...before, ...after].sort(), [...expected].sort());
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
});
