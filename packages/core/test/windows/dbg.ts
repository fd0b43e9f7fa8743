import { expectedOutput, runScenario } from "./window-job.ts";
const s = JSON.parse(process.argv[2]);
try { console.log(await runScenario(s, Number(process.argv[3] ?? 1))); } catch (e) { console.log("ERR", e); }
console.log(expectedOutput(s));
