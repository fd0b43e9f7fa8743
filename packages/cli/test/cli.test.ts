import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, JobDefinitionError, JobFailedError, JobModuleError } from "@eddy/core";
import { type CliIo, exitCodeFor, main, UsageError } from "../src/index.ts";

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeIo() {
  const out = { stdout: "", stderr: "", exits: [] as number[] };
  let handler: ((signal: "SIGINT" | "SIGTERM") => void) | undefined;
  const io: CliIo = {
    stdout: {
      write(text: string) {
        out.stdout += text;
        return true;
      },
    },
    stderr: {
      isTTY: false,
      write(text: string) {
        out.stderr += text;
        return true;
      },
    },
    env: {},
    onStopSignal(h) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    exit(code) {
      out.exits.push(code);
      throw new Exit(code);
    },
  };
  return {
    io,
    out,
    signal: (s: "SIGINT" | "SIGTERM") => handler?.(s),
    hasHandler: () => handler !== undefined,
  };
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe("main", () => {
  it("maps errors to exit codes: 2 for invalid input, 1 for a failed job", () => {
    assert.equal(exitCodeFor(new UsageError("x")), 2);
    assert.equal(exitCodeFor(new JobModuleError("j.ts", "x")), 2);
    assert.equal(exitCodeFor(new ConfigError("k", "x")), 2);
    assert.equal(exitCodeFor(new JobDefinitionError("x")), 2);
    assert.equal(exitCodeFor(new JobFailedError("x")), 1);
    assert.equal(exitCodeFor(new TypeError("x")), 1);
  });

  it("stops the job on the first signal and exits at once on the second", async () => {
    const { io, out, signal, hasHandler } = fakeIo();
    const running = main(["run", fixture("silent-unbounded-job.ts")], io);
    // The first signal may come at any moment once the handler is installed, even while the job
    // is still starting: it stops the job all the same.
    while (!hasHandler()) await new Promise((resolve) => setImmediate(resolve));
    signal("SIGINT");
    assert.throws(() => signal("SIGINT"), Exit);
    assert.deepEqual(out.exits, [130]);
    assert.equal(await running, 0);
    assert.match(out.stderr, /SIGINT: stopping the job \(Ctrl-C again exits at once\)/);
    assert.match(out.stderr, /job 'silent' stopped after/);
    assert.equal(hasHandler(), false, "the signal handler is removed after the run");
  });

  it("prints usage errors with the synopsis", async () => {
    const { io, out } = fakeIo();
    assert.equal(await main(["run"], io), 2);
    assert.match(out.stderr, /^eddy: missing job module: eddy run <job.ts\|job.js>\n\nUsage: eddy run/);
  });
});
