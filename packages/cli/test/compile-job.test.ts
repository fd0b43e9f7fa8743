// The built eddy command compiles a TypeScript job once (compile-job.ts): its local files are
// bundled, packages stay outside as the URL of the file node resolves from the job's directory,
// import.meta.url keeps naming each source file, the result imports without any TypeScript loader,
// and a job that does not compile is a JobModuleError naming the file and line.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileJobModule, isTypeScriptModule } from "../src/compile-job.ts";

// Inside the repository, so that the job's package import (fast-check) resolves from its node_modules.
const dir = mkdtempSync(join(fileURLToPath(new URL("../../../", import.meta.url)), ".compile-job-test-"));
const out = mkdtempSync(join(tmpdir(), "eddy-compiled-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe("compileJobModule", () => {
  it("bundles local files, keeps packages outside by URL, and keeps import.meta.url per source file", async () => {
    writeFileSync(
      join(dir, "helper.ts"),
      `export const helperUrl: string = import.meta.url;\nexport const double = (n: number): number => n * 2;\n`,
    );
    writeFileSync(
      join(dir, "job.ts"),
      `import fc from "fast-check";\nimport { double, helperUrl } from "./helper.js";\n` +
        `interface Out { n: number }\nconst out: Out = { n: double(21) };\n` +
        `export default { out, helperUrl, jobUrl: import.meta.url, hasFc: typeof fc.integer === "function" };\n`,
    );
    const url = pathToFileURL(join(dir, "job.ts")).href;
    const compiled = await compileJobModule("job.ts", url, out);
    assert.ok(compiled.startsWith(pathToFileURL(out).href) && compiled.endsWith(".mjs"));
    const code = readFileSync(fileURLToPath(compiled), "utf8");
    assert.match(code, /from "file:\/\/[^"]*\/node_modules\/fast-check\/[^"]+"/);
    assert.doesNotMatch(code, /from "\.\/helper/);
    const { default: value } = await import(compiled);
    assert.deepEqual(value, {
      out: { n: 42 },
      helperUrl: pathToFileURL(join(dir, "helper.ts")).href,
      jobUrl: url,
      hasFc: true,
    });
    // The same code compiles to the same file.
    assert.equal(await compileJobModule("job.ts", url, out), compiled);
  });

  it("leaves JavaScript and missing files to the loader, and reports a syntax error with its line", async () => {
    assert.equal(isTypeScriptModule("file:///x/job.mts"), true);
    assert.equal(isTypeScriptModule("file:///x/job.mjs"), false);
    const js = pathToFileURL(join(dir, "job.mjs")).href;
    assert.equal(await compileJobModule("job.mjs", js, out), js);
    const missing = pathToFileURL(join(dir, "missing.ts")).href;
    assert.equal(await compileJobModule("missing.ts", missing, out), missing);
    writeFileSync(join(dir, "broken.ts"), "export default (\n");
    await assert.rejects(
      compileJobModule("broken.ts", pathToFileURL(join(dir, "broken.ts")).href, out),
      (e: Error & { code?: string }) =>
        e.code === "EDDY_JOB_MODULE" &&
        /job module 'broken.ts': cannot be compiled: .*broken\.ts:2/.test(e.message),
    );
  });
});
