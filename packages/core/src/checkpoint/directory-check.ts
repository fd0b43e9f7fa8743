/**
 * The directories a run writes to (checkpoints, state, savepoints) are checked when it starts,
 * before any input is read: a directory that cannot hold files (a path through a regular file, a
 * kernel filesystem such as /proc or /sys, no write permission) would otherwise be found at the
 * first checkpoint, or at the last one, after all the input was processed.
 */
import { constants } from "node:fs";
import { access, mkdir, open, rm, stat, statfs } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SavepointNotFoundError, UnusableDirectoryError } from "../errors.ts";

/** Filesystems of the kernel (statfs f_type) that look like directories but store nothing. */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x1cd1, "devpts"],
  [0x62656570, "configfs"],
  [0xcafe4a11, "bpf"],
]);

export interface DirectoryRole {
  /** "checkpoint directory", "state directory", ... */
  readonly role: string;
  /** How the user chooses another one. */
  readonly fix: string;
}

/** Creates `dir` if needed and proves that a file can be written, synced and removed in it. */
export async function checkWritableDirectory(dir: string, role: DirectoryRole): Promise<void> {
  const fail = failure(dir, role);
  await checkFilesystem(dir, fail);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    fail(describeFailure(error, "cannot create it"), error);
  }
  if (!(await stat(dir)).isDirectory()) fail("it is a file, not a directory");
  const probe = join(dir, `.eddy-probe-${process.pid}`);
  try {
    const handle = await open(probe, "w");
    try {
      await handle.write("probe");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(probe, { force: true });
  } catch (error) {
    await rm(probe, { force: true }).catch(() => {});
    fail(describeFailure(error, "cannot write a file into it"), error);
  }
}

/** Checks, without creating anything, that `dir` could be created and written (for savepoints, made on request). */
export async function checkCreatableDirectory(dir: string, role: DirectoryRole): Promise<void> {
  const fail = failure(dir, role);
  await checkFilesystem(dir, fail);
  const existing = await nearestExisting(dir);
  if (!(await stat(existing)).isDirectory())
    fail(
      existing === resolve(dir) ? "it is a file, not a directory" : `${existing} is a file, not a directory`,
    );
  await access(existing, constants.W_OK).catch((error) =>
    fail(describeFailure(error, `cannot write into ${existing}`), error),
  );
}

function failure(dir: string, role: DirectoryRole): (reason: string, cause?: unknown) => never {
  return (reason, cause) => {
    throw new UnusableDirectoryError(dir, role.role, reason, role.fix, { cause });
  };
}

async function checkFilesystem(dir: string, fail: (reason: string) => never): Promise<void> {
  const existing = await nearestExisting(dir);
  let type: number;
  try {
    type = (await statfs(existing)).type;
  } catch {
    return;
  }
  const name = PSEUDO_FILESYSTEMS.get(type);
  if (name !== undefined)
    fail(`${existing} is on ${name}, a filesystem of the kernel that cannot store files`);
}

/** The path itself or its nearest ancestor that exists. */
async function nearestExisting(dir: string): Promise<string> {
  let path = resolve(dir);
  for (;;) {
    try {
      await stat(path);
      return path;
    } catch {
      const parent = dirname(path);
      if (parent === path) return path;
      path = parent;
    }
  }
}

function describeFailure(error: unknown, what: string): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EACCES" || code === "EPERM") return `${what}: permission denied (${code})`;
  if (code === "ENOTDIR" || code === "EEXIST")
    return `${what}: a part of the path is a file, not a directory`;
  if (code === "EROFS") return `${what}: the filesystem is read-only`;
  if (code === "ENOSPC") return `${what}: the disk is full`;
  return `${what}: ${(error as Error)?.message ?? String(error)}`;
}

/**
 * Everything a run checks about directories before it reads input: the checkpoint directory
 * (created and written), the default savepoint directory (could be created), the LMDB state
 * directory (created and written), and that `fromSavepoint` is a savepoint directory.
 */
export async function checkRunDirectories(run: {
  readonly stateDir?: string;
  readonly checkpointDir?: string;
  readonly savepointDir?: string;
  readonly fromSavepoint?: string;
}): Promise<void> {
  if (run.stateDir !== undefined)
    await checkWritableDirectory(run.stateDir, {
      role: "state directory",
      fix: "set the job option stateDir (Job.create({ stateDir })) to a writable directory on a local disk",
    });
  if (run.checkpointDir !== undefined)
    await checkWritableDirectory(run.checkpointDir, {
      role: "checkpoint directory",
      fix: "choose a writable directory on a local disk with --checkpoint-dir (the checkpointing option dir)",
    });
  if (run.savepointDir !== undefined)
    await checkCreatableDirectory(run.savepointDir, {
      role: "savepoint directory",
      fix: "run the job where .eddy/savepoints can be written, or take savepoints with --dir <writable directory>",
    });
  if (run.fromSavepoint !== undefined) {
    const info = await stat(run.fromSavepoint).catch(() => undefined);
    if (info === undefined) throw new SavepointNotFoundError(run.fromSavepoint, "does not exist");
    if (!info.isDirectory())
      throw new SavepointNotFoundError(run.fromSavepoint, "is a file, not a directory");
    if ((await stat(join(run.fromSavepoint, "_metadata")).catch(() => undefined)) === undefined)
      throw new SavepointNotFoundError(run.fromSavepoint, "holds no _metadata: it is not a savepoint");
  }
}
