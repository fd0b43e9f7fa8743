// Worker threads start here, in plain JavaScript because nothing can load TypeScript yet. First the
// modules that registered state backends in the coordinating thread (workerData.preload: a job
// naming "lmdb" finds it in this thread too), then the entry: worker-entry.js in a built package.
// A TypeScript loader is registered only where TypeScript must be loaded: when core runs from its
// sources (the eddy repository, with --conditions=eddy-source), or when a caller of runJobModule
// hands workers a .ts job module itself (the eddy command hands them the job compiled to .mjs).
// From the sources, eddy's packages also resolve through their "eddy-source" export condition.
// Node 20 does not carry a parent's loader hooks into workers, so this thread registers its own:
// tsx, an optional peer dependency of @eddy/core.
import { existsSync } from "node:fs";
import { register } from "node:module";
import { workerData } from "node:worker_threads";

const built = new URL("./worker-entry.js", import.meta.url);
const fromSources = !existsSync(built);
if (fromSources)
  // The job module imports @eddy/core: it must get the same (source) modules as this thread.
  register(
    `data:text/javascript,${encodeURIComponent(
      "export function resolve(specifier, context, next) {" +
        ' return next(specifier, context.conditions.includes("eddy-source") ? context :' +
        ' { ...context, conditions: [...context.conditions, "eddy-source"] }); }',
    )}`,
  );
if (fromSources || /\.[cm]?tsx?$/.test(new URL(workerData.moduleUrl).pathname)) {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch (error) {
    const { EddyError } = await import(
      new URL(fromSources ? "../../errors.ts" : "../../errors.js", import.meta.url).href
    );
    throw new EddyError(
      "EDDY_TYPESCRIPT_LOADER_MISSING",
      `the job module ${workerData.moduleUrl} is TypeScript, and a worker thread needs tsx to load it: ` +
        "npm install tsx, or run the job with the eddy command (it compiles the job once for all threads)",
      { cause: error },
    );
  }
  tsx.register();
}
for (const url of workerData.preload ?? []) await import(url);
await import(fromSources ? new URL("./worker-entry.ts", import.meta.url).href : built.href);
