#!/usr/bin/env node
// The `eddy` launcher. It registers tsx so that job modules (and the CLI itself) can be
// TypeScript, then hands over to src/main.ts. Kept as plain JS because node runs it directly.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
