// LMDB working directories left by a killed process are removed when the job runs again;
// those of running processes are kept.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { lmdbStateDir, removeStaleStateDirs } from "../src/lmdb-keyed-state-backend.ts";

test("only the state directories of processes that are gone are removed", async () => {
  const root = mkdtempSync(join(tmpdir(), "eddy-stale-"));
  try {
    const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    const deadPid = Number(ended.stdout);
    assert.ok(deadPid > 0);
    const live = lmdbStateDir(root, "job", "count", 0);
    const stale = join(root, "job", `count-1-p${deadPid}-abc123`);
    const unrelated = join(root, "job", "notes");
    for (const dir of [live, stale, unrelated]) mkdirSync(dir, { recursive: true });
    assert.equal(await removeStaleStateDirs(root, "job"), 1);
    assert.ok(existsSync(live), "a running process keeps its directory");
    assert.ok(!existsSync(stale), "a gone process's directory is removed");
    assert.ok(existsSync(unrelated), "directories eddy did not name are left alone");
    assert.equal(await removeStaleStateDirs(root, "no-such-job"), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
