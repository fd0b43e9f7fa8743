// The careless user (issue 10, Must show 3): the README's exactly-once job is run, killed, rerun
// with a changed configuration, its checkpoints corrupted, and rerun with --fresh. After every
// step the committed output is exactly the uninterrupted run's, or a part of it while the job has
// not finished, or the run refused with a message saying why; never a silent difference.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  committedLines,
  completeCheckpoints,
  corruptEveryCheckpoint,
  crashJobArgs,
  waitUntil,
} from "./lifecycle-helpers.ts";
import { eddy, finished, spawnEddy } from "./run-eddy.ts";

/** Every line of `part` is in `whole` as often or more often (a multiset subset). */
function assertPartOf(part: readonly string[], whole: readonly string[], step: string): void {
  const counts = new Map<string, number>();
  for (const line of whole) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of part) {
    const left = counts.get(line) ?? 0;
    assert.ok(
      left > 0,
      `${step}: committed a line the uninterrupted run does not have (or too often): ${line}`,
    );
    counts.set(line, left - 1);
  }
}

for (const variant of [
  { name: "heap, parallelism 1", flags: [] as string[] },
  { name: "LMDB, parallelism 2", flags: ["-p", "2", "--set", "stateBackend=lmdb"] },
])
  test(`a careless user cannot lose or double the exactly-once output (${variant.name})`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "eddy-careless-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const size = { records: 120_000, rate: 40_000 };
    const flags = [
      ...variant.flags,
      ...(variant.flags.length > 0 ? ["--set", `stateDir=${join(dir, "state")}`] : []),
    ];
    const args = [...crashJobArgs(dir, size), ...flags];
    const out = join(dir, "out");
    const checkpoints = join(dir, "checkpoints");

    const reference = await eddy([
      ...crashJobArgs(dir, { ...size, output: "ref", checkpoints: false }),
      ...flags,
    ]);
    assert.equal(reference.code, 0, reference.stderr);
    const expected = committedLines(join(dir, "ref"));
    assert.ok(expected.length > 3000, `${expected.length} lines`);

    // 1. Run, and kill it (SIGKILL) once two checkpoints are complete: a part of the output.
    const first = spawnEddy(args);
    const firstDone = finished(first);
    await waitUntil(
      () => completeCheckpoints(checkpoints).length >= 2,
      () => first.exitCode === null,
      "two checkpoints",
    );
    first.kill("SIGKILL");
    await firstDone;
    assertPartOf(committedLines(out), expected, "after the kill");
    const afterKill = committedLines(out);

    // 2. Rerun with another configuration: refused, with the difference, and nothing changes.
    const changed = await eddy([...crashJobArgs(dir, { ...size, rate: 45_000 }), ...flags]);
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stderr, /config\.rate: 40000 → 45000/);
    assert.deepEqual(committedLines(out), afterKill, "the refused run changed the output");

    // 3. Corrupt the newest checkpoint: the rerun falls back to an older one, with a warning,
    //    and commits exactly the uninterrupted output.
    const second = spawnEddy(args);
    const secondDone = finished(second);
    const before = Math.max(...completeCheckpoints(checkpoints));
    await waitUntil(
      () => completeCheckpoints(checkpoints).some((id) => id > before + 1),
      () => second.exitCode === null,
      "two more checkpoints",
    );
    second.kill("SIGKILL");
    await secondDone;
    assertPartOf(committedLines(out), expected, "after the second kill");
    const ids = completeCheckpoints(checkpoints).sort((a, b) => b - a);
    assert.ok(ids.length >= 2, `checkpoints ${ids}`);
    corruptEveryCheckpoint(checkpoints, ids.slice(0, 1));
    const resumed = await eddy(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`checkpoint ${ids[0]} .*corrupt.*falling back to checkpoint`));
    assert.deepEqual(committedLines(out), expected, "after falling back from a corrupt checkpoint");

    // 4. Corrupt every checkpoint left (the job's final one too): the rerun refuses, naming them.
    const corrupted = corruptEveryCheckpoint(checkpoints);
    assert.ok(corrupted.length >= 1);
    const refused = await eddy(args);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /no checkpoint in .* can be restored/);
    assert.match(refused.stderr, /--fresh/);
    assert.deepEqual(committedLines(out), expected, "the refused run changed the output");

    // 5. --fresh starts over deliberately: exactly the uninterrupted output again, not twice.
    const fresh = await eddy([...args, "--fresh"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual(committedLines(out), expected, "after --fresh");
  });
