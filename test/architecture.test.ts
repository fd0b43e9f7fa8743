/**
 * The architecture, locked: core's layers import only the layers below them, packages depend
 * only on the packages the table allows and only by name, each package declares what its sources
 * import, and no source file grows past what one can read in a sitting. The tables live in
 * architecture/import-graph.ts; a failure names the file, the import and the rule it broke.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  checkImportGraph,
  coreLayerOf,
  importsOf,
  readRepositoryFiles,
} from "./architecture/import-graph.ts";

const root = new URL("..", import.meta.url).pathname;
const files = readRepositoryFiles(root);
const MAX_SOURCE_LINES = 500;

function format(violations: ReturnType<typeof checkImportGraph>): string {
  return violations.map((v) => `${v.file}: "${v.specifier}": ${v.rule}`).join("\n");
}

describe("architecture", () => {
  test("every import follows the layer and package tables", () => {
    const violations = checkImportGraph(files);
    assert.equal(violations.length, 0, format(violations));
  });

  test("a back-edge in core is caught (the checker itself)", () => {
    const planning = {
      path: "packages/core/src/plan/planner.ts",
      text: `import { x } from "../runtime/job/run-job.ts";`,
    };
    const apiToPlan = {
      path: "packages/core/src/api/job.ts",
      text: `import type { P } from "../plan/physical-plan.ts";`,
    };
    const checkpointToRuntime = {
      path: "packages/core/src/checkpoint/restore.ts",
      text: `export { T } from "../runtime/task/task.ts";`,
    };
    const taskToJob = {
      path: "packages/core/src/runtime/task/deploy.ts",
      text: `await import("../job/run-job.ts");`,
    };
    const allowed = {
      path: "packages/core/src/runtime/job/run-job.ts",
      text: `import { p } from "../../plan/physical-plan.ts";`,
    };
    const violations = checkImportGraph([planning, apiToPlan, checkpointToRuntime, taskToJob, allowed]);
    assert.deepEqual(
      violations.map((v) => v.file),
      [planning.path, apiToPlan.path, checkpointToRuntime.path, taskToJob.path],
    );
  });

  test("a relative import into another package, and a package depending upward, are caught", () => {
    const violations = checkImportGraph([
      { path: "bench/run.ts", text: `import { Job } from "../packages/core/src/index.ts";` },
      { path: "packages/cep/test/x.test.ts", text: `import { Job } from "../../core/src/api/job.ts";` },
      { path: "packages/core/src/api/job.ts", text: `import { Pattern } from "@eddy/cep";` },
      { path: "packages/cep/src/index.ts", text: `import { run } from "@eddy/cli";` },
      { path: "packages/cep/src/cep.ts", text: `import { Job } from "@eddy/core";` },
    ]);
    assert.deepEqual(
      violations.map((v) => v.file),
      [
        "bench/run.ts",
        "packages/cep/test/x.test.ts",
        "packages/core/src/api/job.ts",
        "packages/cep/src/index.ts",
      ],
    );
  });

  test("layers are named by folder", () => {
    assert.equal(coreLayerOf("index.ts"), "entry");
    assert.equal(coreLayerOf("errors.ts"), "errors");
    assert.equal(coreLayerOf("connectors/index.ts"), "entry");
    assert.equal(coreLayerOf("connectors/api/source.ts"), "connectors/api");
    assert.equal(coreLayerOf("connectors/file-sink.ts"), "connectors");
    assert.equal(coreLayerOf("runtime/operators/windows/session-window-operator.ts"), "runtime/operators");
    assert.equal(coreLayerOf("state/heap-states.ts"), "state");
  });

  test("each package declares every package its sources import", () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const name of readdirSync(join(root, "packages"))) {
      const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"));
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
      ]);
      for (const file of files.filter((f) => f.path.startsWith(`packages/${name}/src/`))) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith(".") || specifier.startsWith("node:") || builtins.has(specifier)) continue;
          const pkg = specifier.startsWith("@")
            ? specifier.split("/").slice(0, 2).join("/")
            : specifier.split("/")[0]!;
          if (pkg === manifest.name) continue;
          if (!declared.has(pkg))
            problems.push(`${file.path} imports ${pkg}, which ${manifest.name} does not declare`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test(`no source file is over ${MAX_SOURCE_LINES} lines`, () => {
    const long = files
      .filter((f) => /^packages\/[^/]+\/src\//.test(f.path))
      .map((f) => ({ path: f.path, lines: f.text.split("\n").length }))
      .filter((f) => f.lines > MAX_SOURCE_LINES)
      .map((f) => `${f.path}: ${f.lines} lines`);
    assert.deepEqual(long, []);
  });
});
