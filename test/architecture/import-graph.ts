/**
 * The repository's import graph and the rules it must keep: which folder of `@eddy/core` may
 * import which, which package may depend on which, and that code outside a package reaches it
 * by its name, never through `packages/<name>/src`. The rules are data (the tables below), so a
 * new folder or package is a one-line change here and every edge outside them fails the
 * architecture test with the file and the import that broke it.
 *
 * Imports are read with TypeScript's own pre-processor (static, re-exports, dynamic `import()`),
 * not executed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/**
 * Core's layers, each with the layers it may import. Read top to bottom as the pipeline a job
 * goes through: the API builds a logical plan (api), the planner turns it into a physical plan
 * (plan), the runtime deploys and runs it over state, checkpoints and the connector contract.
 * Nothing imports a layer above it.
 */
/** What every runtime layer may import from outside the runtime. */
const BELOW_RUNTIME = ["api", "plan", "state", "checkpoint", "connectors/api", "errors", "time"];

export const CORE_LAYERS: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  time: ["errors"],
  "connectors/api": ["errors", "time"],
  connectors: ["connectors/api", "errors", "time"],
  api: ["connectors", "connectors/api", "errors", "time"],
  plan: ["api", "connectors/api", "errors", "time"],
  state: ["api", "errors", "time"],
  checkpoint: ["api", "plan", "state", "connectors/api", "errors", "time"],
  // The runtime, by where its code runs, each layer over the ones before it.
  "runtime/operators": BELOW_RUNTIME,
  "runtime/network": ["runtime/operators", ...BELOW_RUNTIME.filter((l) => l !== "checkpoint")],
  "runtime/task": ["runtime/network", "runtime/operators", ...BELOW_RUNTIME],
  "runtime/job": ["runtime/task", "runtime/network", "runtime/operators", ...BELOW_RUNTIME],
  "runtime/worker": ["runtime/job", "runtime/task", "runtime/network", "runtime/operators", ...BELOW_RUNTIME],
  // The package's entry files re-export from every layer.
  entry: ["*"],
};

/**
 * The workspace packages and the packages of the workspace each may depend on. A package
 * imports another only through its name (`@eddy/core`), never through a relative path.
 */
export const PACKAGE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  core: [],
  "state-lmdb": ["core"],
  testing: ["core"],
  nexmark: ["core"],
  // state-lmdb: the CEP savepoint tests move state between the heap and LMDB (a dev dependency).
  cep: ["core", "testing", "state-lmdb"],
  sql: ["core", "cep"],
  cli: ["core", "nexmark", "state-lmdb", "testing"],
};

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

/** The import specifiers of one file: static imports, re-exports and dynamic imports. */
export function importsOf(file: SourceFile): string[] {
  return ts.preProcessFile(file.text, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * Modules a file starts on another thread (`new Worker(new URL("./entry.mjs", import.meta.url))`).
 * Starting a thread's entry is not importing it: the coordinating thread's job driver starts the
 * worker entry, which then imports the job layer, so these edges are checked against package
 * boundaries but not against core's layers.
 */
export function spawnedModulesOf(file: SourceFile): string[] {
  const out: string[] = [];
  for (const m of file.text.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g))
    if (/\.(m?[jt]s)$/.test(m[1]!)) out.push(m[1]!);
  return out;
}

/** Which core layer a file under packages/core/src belongs to. */
export function coreLayerOf(pathInSrc: string): string {
  const parts = pathInSrc.split("/");
  if (parts.length === 1) return parts[0] === "errors.ts" ? "errors" : "entry";
  if (parts[0] === "connectors") {
    if (parts[1] === "api") return "connectors/api";
    if (parts.length === 2 && parts[1] === "index.ts") return "entry";
    return "connectors";
  }
  if (parts[0] === "runtime") return `runtime/${parts[1]}`;
  return parts[0]!;
}

function packageOf(path: string): { name: string; area: string; rest: string } | undefined {
  const m = /^packages\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
  return m ? { name: m[1]!, area: m[2]!, rest: m[3]! } : undefined;
}

const WORKSPACE_SCOPE = "@eddy/";

/** Checks every file against the tables; returns each edge outside them. */
export function checkImportGraph(
  files: readonly SourceFile[],
  coreLayers: Readonly<Record<string, readonly string[]>> = CORE_LAYERS,
  packageDependencies: Readonly<Record<string, readonly string[]>> = PACKAGE_DEPENDENCIES,
): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const own = packageOf(file.path);
    const spawned = new Set(spawnedModulesOf(file));
    for (const specifier of [...importsOf(file), ...spawned]) {
      const relativeImport = specifier.startsWith(".");
      const target = relativeImport ? relative(".", join(dirname(file.path), specifier)) : undefined;
      const targetPackage = target === undefined ? undefined : packageOf(target);

      // 1. A relative import never crosses into another package, nor from outside packages/ into one.
      if (target !== undefined && targetPackage !== undefined && targetPackage.name !== own?.name) {
        violations.push({
          file: file.path,
          specifier,
          rule: `import @eddy/${targetPackage.name} by its name, not through a relative path`,
        });
        continue;
      }
      // 2. Workspace packages depend only on what the package table allows.
      if (!relativeImport && specifier.startsWith(WORKSPACE_SCOPE) && own !== undefined) {
        const dependency = specifier.slice(WORKSPACE_SCOPE.length).split("/")[0]!;
        const allowed = packageDependencies[own.name];
        if (allowed === undefined) {
          violations.push({
            file: file.path,
            specifier,
            rule: `package '${own.name}' is missing from PACKAGE_DEPENDENCIES`,
          });
        } else if (dependency !== own.name && !allowed.includes(dependency)) {
          violations.push({
            file: file.path,
            specifier,
            rule: `@eddy/${own.name} may not depend on @eddy/${dependency} (allowed: ${allowed.join(", ") || "none"})`,
          });
        }
      }
      // 3. Inside core's sources, layers import only the layers below them.
      if (
        own?.name === "core" &&
        own.area === "src" &&
        target !== undefined &&
        targetPackage?.area === "src"
      ) {
        const from = coreLayerOf(own.rest);
        const to = coreLayerOf(targetPackage.rest);
        if (from === to || spawned.has(specifier)) continue;
        const allowed = coreLayers[from];
        if (allowed === undefined) {
          violations.push({
            file: file.path,
            specifier,
            rule: `core layer '${from}' is missing from CORE_LAYERS`,
          });
        } else if (!allowed.includes("*") && !allowed.includes(to)) {
          violations.push({
            file: file.path,
            specifier,
            rule: `core layer '${from}' may not import '${to}' (allowed: ${allowed.join(", ") || "none"})`,
          });
        }
      }
    }
  }
  return violations;
}

/** Every TypeScript and JavaScript module of the repository, outside node_modules and build output. */
export function readRepositoryFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith(".d.ts"))
        out.push({ path: relative(root, path).split("\\").join("/"), text: readFileSync(path, "utf8") });
    }
  };
  for (const top of ["packages", "test", "bench", "examples", "scripts"]) {
    const dir = resolve(root, top);
    try {
      if (statSync(dir).isDirectory()) walk(dir);
    } catch {
      // a folder the repository does not have
    }
  }
  return out;
}
