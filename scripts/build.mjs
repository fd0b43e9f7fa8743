// `npm run build`: compiles every package's src/ to ESM JavaScript and .d.ts in its dist/ with one
// `tsc -b tsconfig.build.json` (the packages' tsconfig.build.json, in dependency order: a package's
// build reads the .d.ts of the packages it imports from their dist/). Incremental: a package whose
// sources did not change is not compiled again. Usage: node scripts/build.mjs [--clean]
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const root = new URL("..", import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const started = performance.now();
const args = [tsc, "-b", "tsconfig.build.json", ...(process.argv.includes("--clean") ? ["--clean"] : [])];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`tsc -b ${args.slice(3).join(" ")}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
