#!/usr/bin/env node
// The `eddy` launcher, plain JavaScript because node runs it directly. Installed from npm it runs
// the built CLI (dist/). In the eddy repository (src/ beside this file) it runs the TypeScript
// sources instead, so nothing needs building first: it registers tsx (the repository's dev
// dependency) and resolves eddy's packages through their "eddy-source" export condition, as if
// node had been started with --conditions=eddy-source (worker threads do the same for themselves).
import { existsSync } from "node:fs";

const sources = new URL("../src/main.ts", import.meta.url);
if (existsSync(sources)) {
  const { register } = await import("node:module");
  register(
    `data:text/javascript,${encodeURIComponent(
      "export function resolve(specifier, context, next) {" +
        ' return next(specifier, context.conditions.includes("eddy-source") ? context :' +
        ' { ...context, conditions: [...context.conditions, "eddy-source"] }); }',
    )}`,
  );
  (await import("tsx/esm/api")).register();
  await import(sources.href);
} else {
  await import("../dist/main.js");
}
