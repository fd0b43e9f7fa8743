import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommandLine, UsageError } from "../src/index.ts";

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.code, "EDDY_USAGE");
    return error;
  }
  assert.fail(`eddy ${argv.join(" ")} should be rejected`);
}

describe("parseCommandLine", () => {
  it("parses run with every option", () => {
    const command = parseCommandLine([
      "run",
      "jobs/a.ts",
      "--parallelism",
      "4",
      "--config",
      "c.json",
      "--set",
      "readings=1000",
      "-s",
      "name=sensors",
      "--set",
      'tags=["a","b"]',
      "--quiet",
    ]);
    assert.deepEqual(command, {
      kind: "run",
      quiet: true,
      job: "jobs/a.ts",
      parallelism: 4,
      configFile: "c.json",
      overrides: { readings: 1000, name: "sensors", tags: ["a", "b"] },
    });
  });

  it("takes options before the job and short flags", () => {
    const command = parseCommandLine(["run", "-p", "2", "-q", "job.ts"]);
    assert.equal(command.kind, "run");
    if (command.kind !== "run") return;
    assert.equal(command.job, "job.ts");
    assert.equal(command.parallelism, 2);
    assert.equal(command.quiet, true);
    assert.equal(command.configFile, undefined);
    assert.deepEqual(command.overrides, {});
  });

  it("keeps the text after the first = of a --set, and strings that are not JSON", () => {
    const command = parseCommandLine(["run", "j.ts", "--set", "query=a=b", "--set", "path=out/x.ndjson"]);
    assert.deepEqual(command.kind === "run" && command.overrides, { query: "a=b", path: "out/x.ndjson" });
  });

  it("parses plan and its formats", () => {
    const plan = (...flags: string[]) => parseCommandLine(["plan", "j.ts", ...flags]);
    assert.equal((plan() as { format: string }).format, "both");
    assert.equal((plan("--text") as { format: string }).format, "text");
    assert.equal((plan("--mermaid") as { format: string }).format, "mermaid");
    assert.equal((plan("--text", "--mermaid") as { format: string }).format, "both");
  });

  it("answers help and version", () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const command = parseCommandLine(argv);
      assert.equal(command.kind, "help");
      assert.match((command as { text: string }).text, /eddy run <job.ts\|job.js>/);
    }
    const runHelp = parseCommandLine(["run", "--help"]);
    assert.match((runHelp as { text: string }).text, /--parallelism <n>/);
    assert.match((parseCommandLine(["help", "plan"]) as { text: string }).text, /--mermaid/);
    assert.match((parseCommandLine(["plan", "-h"]) as { text: string }).text, /--mermaid/);
    assert.deepEqual(parseCommandLine(["--version"]), { kind: "version" });
  });

  it("rejects a missing or unknown command with the usage", () => {
    assert.match(usageError([]).message, /missing command/);
    const unknown = usageError(["deploy", "job.ts"]);
    assert.match(unknown.message, /unknown command 'deploy'/);
    assert.match(unknown.usage ?? "", /Usage: eddy run\|plan/);
    assert.match(usageError(["--verbose"]).message, /unknown option '--verbose'/);
  });

  it("rejects unknown flags, naming them", () => {
    const error = usageError(["run", "job.ts", "--paralelism", "2"]);
    assert.equal(error.message, "unknown option '--paralelism'");
    assert.match(error.usage ?? "", /eddy run <job.ts\|job.js> \[--parallelism N\]/);
    assert.match(usageError(["plan", "job.ts", "--quiet"]).message, /unknown option '--quiet'/);
  });

  it("takes --tolerable-checkpoint-failures with checkpoints, a whole number, and explains a bad one", () => {
    const command = parseCommandLine([
      "run",
      "j.ts",
      "--checkpoint-interval",
      "500",
      "--tolerable-checkpoint-failures",
      "0",
    ]) as { checkpoints?: { tolerableFailures?: number } };
    assert.equal(command.checkpoints?.tolerableFailures, 0);
    assert.match(
      usageError(["run", "j.ts", "--checkpoint-interval", "500", "--tolerable-checkpoint-failures", "1.5"])
        .message,
      /--tolerable-checkpoint-failures must be a whole number of failed checkpoints in a row such as 0 or 3, not '1.5'/,
    );
    assert.match(
      usageError(["run", "j.ts", "--tolerable-checkpoint-failures", "2"]).message,
      /needs checkpoints: add --checkpoint-interval <ms>/,
    );
  });

  it("rejects a missing job module, or more than one", () => {
    assert.match(usageError(["run"]).message, /missing job module: eddy run <job.ts\|job.js>/);
    assert.match(usageError(["plan", "--text"]).message, /missing job module: eddy plan/);
    assert.match(
      usageError(["run", "a.ts", "b.ts"]).message,
      /one job module at a time, got 2: 'a.ts', 'b.ts'/,
    );
  });

  it("rejects a bad --parallelism, naming the flag", () => {
    for (const bad of ["0", "-1", "1.5", "two", "", "1e3"]) {
      const error = usageError(["run", "job.ts", `--parallelism=${bad}`]);
      assert.match(error.message, /--parallelism must be a positive integer/, bad);
    }
    assert.match(usageError(["run", "job.ts", "--parallelism"]).message, /--parallelism/);
  });

  it("rejects a --set without key=value", () => {
    for (const bad of ["readings", "=5"]) {
      const error = usageError(["run", "job.ts", "--set", bad]);
      assert.match(error.message, /--set takes key=value \(for example --set readings=1000\)/);
    }
  });
});
