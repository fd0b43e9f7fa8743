/**
 * The help texts of the `eddy` command and its subcommands: the full text for `--help`, and a
 * short synopsis printed after a usage error.
 */

export const MAIN_SYNOPSIS = `Usage: eddy run|plan <job.ts|job.js> [options]
       eddy savepoint <job name> [--stop]
       eddy nexmark generate --events <n> [options]
Run 'eddy --help' for the commands.`;

export const RUN_SYNOPSIS = `Usage: eddy run <job.ts|job.js> [--parallelism N] [--config file.json] [--set key=value ...] [--quiet]
Run 'eddy run --help' for the options.`;

export const PLAN_SYNOPSIS = `Usage: eddy plan <job.ts|job.js> [--parallelism N] [--config file.json] [--set key=value ...] [--text|--mermaid]
Run 'eddy plan --help' for the options.`;

export const MAIN_USAGE = `eddy: stateful stream processing for TypeScript

Usage:
  eddy run <job.ts|job.js> [options]    run a job module
  eddy plan <job.ts|job.js> [options]   print a job's physical plan (chains, uids, exchanges)
  eddy savepoint <job name> [--stop]    take a savepoint of a running job (and stop it)
  eddy nexmark generate --events <n>    write Nexmark benchmark events as NDJSON
  eddy <command> --help                 help on a command
  eddy --version                        print the version

A job module's default export is a Job, or a function (context) => Job that builds one from
context.config and context.parallelism.`;

const CONFIG_OPTIONS = `  -c, --config <file>     a JSON file with the job's configuration (an object)
  -s, --set <key=value>   set one configuration key (repeatable); the value is parsed as JSON
                          when it is JSON (1000, true, "a b"), else taken as a string`;

const CONFIG_NOTE = `Configuration, later sources winning: the --config file, then environment variables
EDDY_CONFIG_<KEY> with the key in camelCase (EDDY_CONFIG_MAX_DELAY=500 sets maxDelay),
then --set flags. The job factory receives it as context.config.`;

export const RUN_USAGE = `Usage: eddy run <job.ts|job.js> [options]

Runs a job module until its input ends, or until SIGINT (Ctrl-C) or SIGTERM stops it.

Options:
  -p, --parallelism <n>   default parallelism of the job's operators (a positive integer)
${CONFIG_OPTIONS}
  -q, --quiet             no progress and no summary on stderr
      --checkpoint-interval <ms>
                          take a checkpoint every <ms> (default 1000 when --checkpoint-dir
                          is given); the job then resumes from its latest checkpoint when it
                          is run again, after a crash or a stop
      --checkpoint-dir <dir>
                          where checkpoints go (default .eddy/checkpoints/<job name>)
      --fresh             start from the beginning: the checkpoints in the directory and
                          the output exactly-once sinks committed in earlier runs are removed
      --allow-config-change
                          resume a checkpoint although the job's configuration or sources
                          differ from those it was taken with (refused by default)
      --from-savepoint <dir>
                          start from this savepoint (SIGTERM stops a checkpointing job with
                          a savepoint under .eddy/savepoints/<job name>)
      --allow-non-restored-state
                          drop savepoint state whose operator uid is no longer in the job
      --tolerable-checkpoint-failures <n>
                          fail the job after more than <n> failed checkpoints in a row
                          (a full disk, a timeout); default: keep running and retrying
  -h, --help              show this help

${CONFIG_NOTE}

Progress goes to stderr: a live table on a terminal, a line every few seconds otherwise,
and a summary at the end. The job's own output (print sinks) goes to stdout.

Exit codes: 0 the job finished, or was stopped by a signal; 1 the job failed;
2 invalid command line, configuration or job module, an unusable or locked checkpoint
directory, a configuration that differs from the checkpoint's; 130 interrupted twice.
Set EDDY_DEBUG=1 to see stack traces.`;

export const PLAN_USAGE = `Usage: eddy plan <job.ts|job.js> [options]

Prints the physical plan of a job module: its chains (tasks) with their operators, uids and
parallelism, and the exchanges between them; as text and as a Mermaid flowchart by default.

Options:
  -p, --parallelism <n>   plan with this default parallelism (a positive integer)
${CONFIG_OPTIONS}
      --text              print only the text explanation
      --mermaid           print only the Mermaid flowchart (in a \`\`\`mermaid block)
  -h, --help              show this help

${CONFIG_NOTE}`;

export const SAVEPOINT_USAGE = `Usage: eddy savepoint <job name> [--stop] [--dir <dir>]

Asks a job that \`eddy run\` is running from this directory (with checkpoints on) for a
savepoint, through the control endpoint it serves on 127.0.0.1, and prints the savepoint's
directory. Resume from it with \`eddy run <job> --from-savepoint <dir>\`.

Options:
      --stop              stop the job after the savepoint (no checkpoint follows it)
      --dir <dir>         where the savepoint goes (default .eddy/savepoints/<job name>)
  -h, --help              show this help`;

export const NEXMARK_GENERATE_SYNOPSIS = `Usage: eddy nexmark generate --events <n> [--seed <s>] [--profile R100K|R10M] [--from <k>] [--out <file>]
Run 'eddy nexmark generate --help' for the options.`;

export const NEXMARK_GENERATE_USAGE = `Usage: eddy nexmark generate --events <n> [options]

Writes events of the Nexmark benchmark (people, auctions and bids of an auction site) as NDJSON,
one JSON object per line with its \`type\` first and times in epoch milliseconds: the stream
that eddy's Nexmark source and benchmark read, so you can check a query's output with your own
code. Event k depends on the seed and k alone: the same flags always write the same bytes, and
--from writes any slice of the stream alone.

Options:
      --events <n>        number of events to write (required; a non-negative integer)
      --seed <s>          the generator's global seed (an integer; default 42)
      --profile <name>    event-time rate: R100K (100,000 events per second of event time,
                          the default) or R10M (10,000,000)
      --from <k>          number of the first event (default 0)
  -o, --out <file>        write to this file instead of stdout
  -h, --help              show this help

Example: eddy nexmark generate --events 1000000 --seed 42 --out events.ndjson`;
