/**
 * One run per checkpoint directory. A run takes `<dir>/.lock`, a file holding its pid, created
 * exclusively (O_EXCL); a second process finds it and fails with the first one's pid. A lock whose
 * pid no longer runs (the holder was killed with SIGKILL) is taken over, with a warning. The same
 * process may take its own lock again (a restart of the job in-process, or one leaked by a run
 * that failed while starting). The lock goes when the run ends, and at the latest when the process
 * exits.
 *
 * Why not `proper-lockfile`: it decides staleness by the lock's age, refreshing an mtime on a
 * timer, which makes a lock held by a paused or busy process look stale and one of a killed
 * process look alive for the stale period; a pid check is exact on one machine, which is where a
 * checkpoint directory on a local filesystem lives. And core keeps its dependencies few.
 */
import { unlinkSync } from "node:fs";
import { open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CheckpointDirectoryLockedError } from "../errors.ts";

interface LockContent {
  readonly pid: number;
  readonly jobName: string;
  readonly startedAt: string;
  /** Tells two takeovers by the same process apart. */
  readonly token: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

export class CheckpointDirLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  /** Takes the lock of checkpoint directory `dir` (which exists), or throws CheckpointDirectoryLockedError. */
  static async acquire(
    dir: string,
    jobName: string,
    warn: (message: string) => void,
  ): Promise<CheckpointDirLock> {
    const path = join(dir, ".lock");
    const content: LockContent = {
      pid: process.pid,
      jobName,
      startedAt: new Date().toISOString(),
      token: `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    };
    const text = `${JSON.stringify(content)}\n`;
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = await readLock(path);
      if (holder !== undefined && holder.pid !== process.pid && isProcessAlive(holder.pid))
        throw new CheckpointDirectoryLockedError(dir, holder);
      // Stale: replace it atomically, then check that no other process replaced it after us.
      const temp = `${path}.${content.token}`;
      await writeFile(temp, text);
      await rename(temp, path);
      const now = await readLock(path);
      if (now?.token !== content.token)
        throw new CheckpointDirectoryLockedError(dir, now ?? { pid: Number.NaN, jobName });
      if (holder === undefined)
        warn(`took over the lock of checkpoint directory ${dir}: its lock file could not be read`);
      else if (holder.pid !== process.pid)
        warn(
          `took over the lock of checkpoint directory ${dir} from pid ${holder.pid} (job '${holder.jobName}', ` +
            `started ${holder.startedAt}), which is no longer running`,
        );
    }
    held.add(path);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", releaseAllSync);
    }
    return new CheckpointDirLock(path, content.token);
  }

  /** Gives the lock up, if it is still this run's. */
  async release(): Promise<void> {
    if (!held.delete(this.path)) return;
    const now = await readLock(this.path);
    if (now?.token === this.token) await rm(this.path, { force: true });
  }
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as LockContent;
    return Number.isInteger(parsed?.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` exists on this machine (a lock's or a registration's owner). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseAllSync(): void {
  for (const path of held)
    try {
      unlinkSync(path);
    } catch {}
  held.clear();
}
