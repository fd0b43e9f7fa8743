/**
 * Compiling a TypeScript job module once per run, so that no thread transpiles it again. Node
 * cannot import `.ts` by itself, and every worker thread of a parallel run imports the job module
 * too; so the main thread bundles the job file and its local imports with esbuild into one ES
 * module (`.mjs`, whatever the project's "type") in a temporary directory, and the main thread and
 * the workers import that. Packages stay outside the bundle: each bare import is resolved from the
 * job's own directory, as node would, and written as that file's URL, so the job and the eddy
 * command share one installed `@eddy/core` (a second copy would make its Job unrecognisable) and
 * the compiled file may live anywhere. A package that resolves to TypeScript (a workspace source)
 * is bundled instead, since node could not import it. `import.meta.url` (and `dirname`,
 * `filename`) keep meaning the source file, so a job reading files beside it still finds them.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { JobModuleError } from "@eddy/core";
import type { Loader, Plugin } from "esbuild";

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/** Whether a module URL is a TypeScript file that node cannot import without a loader. */
export function isTypeScriptModule(url: string): boolean {
  return url.startsWith("file:") && TYPESCRIPT.test(fileURLToPath(url));
}

/**
 * The URL to import for job module `url`: the compiled `.mjs` when it is a TypeScript file, the
 * module itself otherwise (and when it does not exist: loading it reports that). `outDir` holds
 * compiled jobs, named by the hash of their code, so runs of the same job share one file.
 */
export async function compileJobModule(
  path: string,
  url: string,
  outDir: string = join(tmpdir(), "eddy-jobs"),
): Promise<string> {
  if (!isTypeScriptModule(url)) return url;
  const file = fileURLToPath(url);
  if (!existsSync(file)) return url;
  let code: string;
  try {
    // Loaded here, not on import: a run of a JavaScript job (or from the sources) never starts esbuild.
    const { build } = await import("esbuild");
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node.split(".")[0]}`,
      sourcemap: "inline",
      logLevel: "silent",
      plugins: [packagesByUrl, sourceUrls],
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] })
      .errors;
    const first = errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
    throw new JobModuleError(
      path,
      `cannot be compiled: ${first ? `${first.text}${where}` : (error as Error).message}`,
      { cause: error },
    );
  }
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const out = join(outDir, `${basename(file, extname(file))}-${hash}.mjs`);
  if (!existsSync(out)) {
    await mkdir(outDir, { recursive: true });
    // Written under a unique name, then renamed: a run starting at the same moment never reads half a file.
    const partial = `${out}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, out);
  }
  return pathToFileURL(out).href;
}

/** Bare imports (packages) become the URL of the file node would load, resolved from the importer. */
const packagesByUrl: Plugin = {
  name: "eddy-packages-by-url",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === packagesByUrl || isBuiltin(args.path) || /^[a-z]+:/i.test(args.path))
        return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: packagesByUrl,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      if (TYPESCRIPT.test(resolved.path)) return { path: resolved.path };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/** In the job's own files, `import.meta.url`, `.dirname` and `.filename` name the source file. */
const sourceUrls: Plugin = {
  name: "eddy-source-urls",
  setup(b) {
    b.onLoad({ filter: /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/ }, async (args) => {
      if (args.path.split(sep).includes("node_modules")) return undefined;
      const text = await readFile(args.path, "utf8");
      const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, field: string) =>
        JSON.stringify(
          field === "url"
            ? pathToFileURL(args.path).href
            : field === "dirname"
              ? dirname(args.path)
              : args.path,
        ),
      );
      return { contents, loader: loaderOf(args.path), resolveDir: dirname(args.path) };
    });
  },
};

function loaderOf(path: string): Loader {
  const ext = extname(path);
  if (ext === ".tsx" || ext === ".jsx") return ext.slice(1) as Loader;
  return ext.endsWith("ts") ? "ts" : "js";
}
