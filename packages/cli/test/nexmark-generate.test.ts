// `eddy nexmark generate`: the flags it takes and rejects, and the events it writes, which must be
// the in-process generator's events, line for line, the same on every call with the same seed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NexmarkGenerator } from "@eddy/nexmark";
import { type CliIo, main, parseCommandLine, UsageError } from "../src/index.ts";

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error;
  }
  assert.fail(`eddy ${argv.join(" ")} should be rejected`);
}

/** Runs `eddy <argv>` in this process; stdout and stderr as strings. */
async function eddy(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: {
      write(text: string) {
        stdout += text;
        return true;
      },
    },
    stderr: {
      isTTY: false,
      write(text: string) {
        stderr += text;
        return true;
      },
    },
    env: {},
    onStopSignal: () => () => {},
    exit: (code) => assert.fail(`exit(${code})`),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const expectedLines = (
  options: { seed: number; profile?: "R100K" | "R10M" },
  from: number,
  events: number,
) => {
  const generator = new NexmarkGenerator(options);
  return Array.from({ length: events }, (_, i) => JSON.stringify(generator.event(from + i)));
};

describe("eddy nexmark generate: command line", () => {
  it("parses every option, with defaults seed 42, R100K, from 0, stdout", () => {
    assert.deepEqual(parseCommandLine(["nexmark", "generate", "--events", "1000"]), {
      kind: "nexmark-generate",
      events: 1000,
      seed: 42,
      profile: "R100K",
      from: 0,
    });
    assert.deepEqual(
      parseCommandLine([
        "nexmark",
        "generate",
        "--events",
        "1_000_000",
        "--seed=-3",
        "--profile",
        "R10M",
        "--from",
        "50",
        "-o",
        "e.ndjson",
      ]),
      { kind: "nexmark-generate", events: 1_000_000, seed: -3, profile: "R10M", from: 50, out: "e.ndjson" },
    );
  });

  it("answers --help and `eddy help nexmark` with the options", () => {
    for (const argv of [
      ["nexmark", "generate", "--help"],
      ["nexmark", "--help"],
      ["help", "nexmark"],
    ]) {
      const command = parseCommandLine(argv);
      assert.equal(command.kind, "help");
      assert.match((command as { text: string }).text, /--events <n>.*\n.*--seed <s>/s);
    }
  });

  it("rejects a bad flag, naming the flag and what to write instead", () => {
    const cases: [string[], RegExp][] = [
      [[], /missing --events: .*--events 1000000/],
      [["--events", "abc"], /--events must be a non-negative integer such as 1000000, not 'abc'/],
      [["--events", "-5"], /--events/],
      [["--events", "1.5"], /--events must be a non-negative integer/],
      [["--events", ""], /--events must be a non-negative integer/],
      [["--events", "10", "--seed", "x"], /--seed must be an integer such as 42, not 'x'/],
      [["--events", "10", "--profile", "R1M"], /--profile must be R100K or R10M, not 'R1M'/],
      [["--events", "10", "--from", "-1"], /--from/],
      [["--events", "10", "--out", ""], /--out needs a file name/],
      [["--events", "10", "--evnts", "3"], /unknown option '--evnts'/],
      [["100"], /the number of events goes in --events 100/],
      [["--events", "9007199254740991", "--from", "1"], /--from plus --events must stay below 2\^53/],
    ];
    for (const [args, message] of cases) {
      const error = usageError(["nexmark", "generate", ...args]);
      assert.match(error.message, message, `eddy nexmark generate ${args.join(" ")}`);
      assert.match(error.usage ?? "", /^Usage: eddy nexmark generate --events <n>/);
    }
    assert.match(usageError(["nexmark"]).message, /missing nexmark command: try `eddy nexmark generate/);
    assert.match(usageError(["nexmark", "gen"]).message, /unknown nexmark command 'gen': did you mean/);
  });
});

describe("eddy nexmark generate: output", () => {
  it("writes the in-process generator's events as NDJSON, the same on every call", async () => {
    const first = await eddy(["nexmark", "generate", "--events", "5000", "--seed", "7"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "", "stdout carries the events; nothing else is said");
    assert.ok(first.stdout.endsWith("\n"));
    const lines = first.stdout.slice(0, -1).split("\n");
    assert.equal(lines.length, 5000);
    const kinds: Record<string, number> = {};
    for (const line of lines) {
      const { type } = JSON.parse(line) as { type: string };
      kinds[type] = (kinds[type] ?? 0) + 1;
    }
    assert.deepEqual(kinds, { person: 100, auction: 300, bid: 4600 });
    assert.deepEqual(lines, expectedLines({ seed: 7 }, 0, 5000));
    const again = await eddy(["nexmark", "generate", "--events", "5000", "--seed", "7"]);
    assert.equal(again.stdout, first.stdout);
    const otherSeed = await eddy(["nexmark", "generate", "--events", "5000", "--seed", "8"]);
    assert.notEqual(otherSeed.stdout, first.stdout);
  });

  it("writes a slice with --from and the R10M profile's times", async () => {
    const { code, stdout } = await eddy([
      "nexmark",
      "generate",
      "--events",
      "300",
      "--from",
      "123456",
      "--profile",
      "R10M",
    ]);
    assert.equal(code, 0);
    assert.deepEqual(
      stdout.trimEnd().split("\n"),
      expectedLines({ seed: 42, profile: "R10M" }, 123_456, 300),
    );
    assert.equal((await eddy(["nexmark", "generate", "--events", "0"])).stdout, "");
  });

  it("writes --out to a file, says so on stderr, and reports a file it cannot create", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-nexmark-"));
    try {
      const path = join(dir, "events.ndjson");
      const result = await eddy(["nexmark", "generate", "--events", "10000", "--seed", "3", "--out", path]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr,
        /^\[eddy\] wrote 10,000 Nexmark events \(seed 3, R100K, from event 0\) to .*events\.ndjson/,
      );
      assert.equal(readFileSync(path, "utf8"), `${expectedLines({ seed: 3 }, 0, 10_000).join("\n")}\n`);

      const missing = join(dir, "no-such-dir", "events.ndjson");
      const failed = await eddy(["nexmark", "generate", "--events", "10", "--out", missing]);
      assert.equal(failed.code, 2);
      assert.match(
        failed.stderr,
        /output file '.*no-such-dir\/events\.ndjson' \(--out\): ENOENT.*create its directory first/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
