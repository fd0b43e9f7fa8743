/**
 * The process behind `eddy`: runs the command and exits with its code once stdout and stderr are
 * written (a stopped job may leave timers behind; they must not keep the process alive).
 */
import { main } from "./cli.ts";

// `eddy run job.ts | head` closes stdout early: the reader has what it wanted, so end quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await main(process.argv.slice(2));
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
