// eddy as a user gets it: `npm run build`, `npm pack` of every package, the tarballs installed
// into two fresh projects in a temporary directory outside the repository (an ES-module project,
// "type": "module", and a CommonJS one, no "type" field), a TypeScript job there importing
// @eddy/core and @eddy/cep (and a local .ts module), run with `npx eddy run job.ts` at parallelism 1
// and 2. The output must be the job's matches, computed here independently. Neither TypeScript nor
// tsx is installed in those projects: the eddy command compiles the job once (esbuild) and worker
// threads import the compiled module. Everything is built, packed and installed once for the file.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";

const root = new URL("../../", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  const env = { ...process.env, npm_config_update_notifier: "false" };
  const child: ChildProcess = spawn(command, args, { cwd, env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  assert.equal(
    result.code,
    0,
    `${command} ${args.join(" ")} failed in ${cwd}:\n${result.stderr}${result.stdout}`,
  );
  return result;
}

/** A local module the job imports: how each kind of project usually writes the import. */
const LOGIN_MODULE = `export interface Login {
  user: string;
  ok: boolean;
  timestamp: number;
}

/** Login \`i\`: four users take turns; each fails twice, then logs in, again and again. */
export function login(i: number): Login {
  return { user: \`u\${i % 4}\`, ok: Math.floor(i / 4) % 3 === 2, timestamp: i * 1000 };
}
`;

function jobSource(loginImport: string): string {
  return `import { CEP, Pattern } from "@eddy/cep";
import { GeneratorSource, Job, type JobContext, WatermarkStrategy } from "@eddy/core";
import { type Login, login } from "${loginImport}";

const failedThenOk = Pattern.begin<Login>("failed")
  .where((l) => !l.ok)
  .next("ok")
  .where((l) => l.ok);

export default (context: JobContext): Job => {
  const job = Job.create({ name: "packed-job" });
  const logins = job
    .fromSource(
      new GeneratorSource<Login>({ count: 48, generate: login }),
      WatermarkStrategy.forMonotonousTimestamps<Login>().withTimestamp((l) => l.timestamp),
      "logins",
    )
    .keyBy((l) => l.user);
  CEP.pattern(logins, failedThenOk)
    .select((match) => \`\${match.ok[0].user} logged in at \${match.ok[0].timestamp} after a failure\`)
    .print("match");
  return job;
};
`;
}

/** The matches, computed without eddy: a user's failure directly followed by their login. */
function expectedMatches(): string[] {
  const lines: string[] = [];
  const last = new Map<string, boolean>();
  for (let i = 0; i < 48; i++) {
    const user = `u${i % 4}`;
    const ok = Math.floor(i / 4) % 3 === 2;
    if (ok && last.get(user) === false) lines.push(`${user} logged in at ${i * 1000} after a failure`);
    last.set(user, ok);
  }
  return lines.sort();
}

const PROJECTS = [
  { kind: "ES-module", packageType: { type: "module" }, loginImport: "./login.js" },
  { kind: "CommonJS", packageType: {}, loginImport: "./login" },
] as const;

describe("eddy installed from npm pack tarballs", () => {
  let dir: string;
  const projects = new Map<string, string>();
  /** The four runs, started together once the projects are installed. */
  const runs = new Map<string, Promise<Run>>();
  const started = performance.now();
  const phases: string[] = [];
  let phaseStart = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${((now - phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = now;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "eddy-packed-"));
    assert.ok(relative(root, dir).startsWith(".."), "the projects are outside the repository");
    await ok(npm, ["run", "build"], root);
    phase("build");
    const tarballs = join(dir, "tarballs");
    mkdirSync(tarballs);
    await ok(npm, ["pack", "--workspaces", "--pack-destination", tarballs, "--silent"], root);
    phase("pack");
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    assert.deepEqual(
      readdirSync(tarballs).sort(),
      ["cep", "cli", "core", "nexmark", "state-lmdb", "testing"].map((p) => `eddy-${p}-0.1.0.tgz`),
    );
    await Promise.all(
      PROJECTS.map(async (p) => {
        const project = join(dir, p.kind);
        mkdirSync(project);
        writeFileSync(
          join(project, "package.json"),
          JSON.stringify(
            { name: `packed-${p.kind.toLowerCase()}`, private: true, ...p.packageType },
            null,
            2,
          ),
        );
        writeFileSync(join(project, "login.ts"), LOGIN_MODULE);
        writeFileSync(join(project, "job.ts"), jobSource(p.loginImport));
        // From the npm cache when it has everything (as on a machine that ran `npm ci`), else the registry.
        await ok(npm, ["install", ...files, "--no-audit", "--no-fund", "--prefer-offline"], project);
        if (projects.size === 1) phase("install");
        projects.set(p.kind, project);
        for (const parallelism of [1, 2])
          runs.set(
            `${p.kind}-${parallelism}`,
            ok(npx, ["eddy", "run", "job.ts", "-p", String(parallelism)], project),
          );
      }),
    );
  });

  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const p of PROJECTS)
    it(`installs without TypeScript or tsx in a ${p.kind} project`, () => {
      const modules = join(projects.get(p.kind)!, "node_modules");
      assert.ok(existsSync(join(modules, "@eddy", "core", "dist", "index.js")));
      assert.ok(existsSync(join(modules, "@eddy", "core", "dist", "index.d.ts")));
      assert.ok(!existsSync(join(modules, "@eddy", "core", "src")), "sources are not shipped");
      assert.ok(!existsSync(join(modules, "typescript")), "typescript is not installed");
      assert.ok(!existsSync(join(modules, "tsx")), "tsx is not installed");
      assert.ok(existsSync(join(modules, "lmdb")), "lmdb comes with @eddy/state-lmdb (the CLI's)");
    });

  for (const p of PROJECTS)
    for (const parallelism of [1, 2])
      it(`npx eddy run job.ts in a ${p.kind} project prints the matches (parallelism ${parallelism})`, async () => {
        const result = await runs.get(`${p.kind}-${parallelism}`)!;
        const lines = result.stdout.split("\n").filter((l) => l.startsWith("match"));
        const prefixes = new Set(lines.map((l) => l.slice(0, l.indexOf(">"))));
        assert.deepEqual(
          lines.map((l) => l.slice(l.indexOf("> ") + 2)).sort(),
          expectedMatches(),
          result.stdout + result.stderr,
        );
        // At parallelism 2 both subtasks of the pattern (in two worker threads) printed.
        assert.deepEqual([...prefixes].sort(), parallelism === 1 ? ["match"] : ["match:1", "match:2"]);
        assert.match(result.stderr, /job 'packed-job' finished/);
      });

  it("reports how long building, packing, installing and the runs took", (t) => {
    phase("runs");
    t.diagnostic(
      `packed-install: ${((performance.now() - started) / 1000).toFixed(1)} s in all (${phases.join(", ")})`,
    );
  });
});
