// The real `eddy nexmark generate` process: NDJSON on stdout that equals the in-process generator's
// events, byte for byte the same on a second run, and exit code 2 with the flag named on a bad flag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NexmarkGenerator } from "@eddy/nexmark";
import { eddy, finished, spawnEddy } from "./run-eddy.ts";

describe("eddy nexmark generate (process)", () => {
  it("writes deterministic NDJSON equal to the in-process generator's events", async () => {
    const args = ["nexmark", "generate", "--events", "20000", "--seed", "11"];
    const [first, second] = await Promise.all([eddy(args), eddy(args)]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, second.stdout);
    const generator = new NexmarkGenerator({ seed: 11 });
    const lines = first.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 20_000);
    lines.forEach((line, k) => {
      assert.deepEqual(JSON.parse(line), generator.event(k), `event ${k}`);
    });
  });

  it("ends quietly when the reader goes away early (| head)", async () => {
    // 2 M events is more than a pipe holds: the process must still end with 0 once stdout closes.
    const child = spawnEddy(["nexmark", "generate", "--events", "2000000"]);
    child.stdout?.once("data", () => child.stdout?.destroy());
    const run = await finished(child);
    assert.equal(run.code, 0, run.stderr);
  });

  it("exits 2 on a bad flag, naming it", async () => {
    const run = await eddy(["nexmark", "generate", "--events", "ten"]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^eddy: --events must be a non-negative integer such as 1000000, not 'ten'\n/);
  });
});
