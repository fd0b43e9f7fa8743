// Runs every *.test.ts under packages/ and test/ with Node's built-in test runner (examples/ has its own,
// run by the CLI's end-to-end tests), TypeScript loaded through tsx, eddy's packages resolved to their
// TypeScript sources (the "eddy-source" export condition: nothing needs building first). A test that
// starts node itself passes --conditions=eddy-source too (not through NODE_OPTIONS: with it, Node 20
// hangs importing a .ts module in a test process). Node 20's --test takes no globs.
// Usage: node scripts/run-tests.mjs [substring-filter...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const files = walk(join(root, "packages"), [])
  .concat(walk(join(root, "test"), []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched", filters);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    "--conditions=eddy-source",
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=2",
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
