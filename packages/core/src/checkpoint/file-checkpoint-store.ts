/**
 * Checkpoints on the local filesystem: `<dir>/chk-<id>/` holds one file per task and `_metadata`.
 * Metadata is written to a temporary file, flushed and renamed, so it appears whole or not at
 * all; it carries its own checksum and the checksum of every blob, so corruption and truncation
 * are detected when a checkpoint is read. A write that fails (a full disk) throws a
 * CheckpointWriteError naming the checkpoint and the file; what it left behind is partial but
 * never listed, as it has no `_metadata`, and goes when the checkpoint is discarded.
 */
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type CheckpointStore, CheckpointWriteError } from "./checkpoint-storage.ts";
import { type CheckpointMetadata, CorruptCheckpointError, checksum, type StateHandle } from "./snapshot.ts";

const METADATA = "_metadata";

export class FileCheckpointStore implements CheckpointStore {
  constructor(readonly location: string) {}

  protected dir(id: number): string {
    return join(this.location, `chk-${id}`);
  }

  async writeState(id: number, name: string, bytes: Buffer | readonly Buffer[]): Promise<StateHandle> {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`invalid state file name '${name}'`);
    const path = join(this.dir(id), name);
    try {
      await mkdir(this.dir(id), { recursive: true });
      await writeFileDurably(path, bytes);
    } catch (error) {
      throw new CheckpointWriteError(id, path, error);
    }
    const parts = Buffer.isBuffer(bytes) ? [bytes] : bytes;
    let size = 0;
    let crc = 0;
    for (const part of parts) {
      size += part.length;
      crc = checksum(part, crc);
    }
    return { file: name, size, crc32: crc };
  }

  async completeCheckpoint(metadata: CheckpointMetadata): Promise<void> {
    const body = JSON.stringify(metadata);
    const text = JSON.stringify({ checksum: checksum(body), body });
    const dir = this.dir(metadata.checkpointId);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new CheckpointWriteError(metadata.checkpointId, dir, error);
    }
    const temp = join(dir, `${METADATA}.tmp`);
    try {
      await writeFileDurably(temp, Buffer.from(text));
      await rename(temp, join(dir, METADATA));
    } catch (error) {
      throw new CheckpointWriteError(metadata.checkpointId, temp, error);
    }
  }

  async listCheckpoints(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.location);
    } catch {
      return [];
    }
    const ids: number[] = [];
    for (const name of names) {
      const match = /^chk-(\d+)$/.exec(name);
      if (match === null) continue;
      try {
        await readdir(join(this.location, name)).then((files) => {
          if (files.includes(METADATA)) ids.push(Number(match[1]));
        });
      } catch {}
    }
    return ids.sort((a, b) => b - a);
  }

  async readMetadata(id: number): Promise<CheckpointMetadata> {
    const what = `checkpoint ${id} metadata (${join(this.dir(id), METADATA)})`;
    let parsed: { checksum: number; body: string };
    try {
      parsed = JSON.parse(await readFile(join(this.dir(id), METADATA), "utf8"));
    } catch (error) {
      throw new CorruptCheckpointError(what, (error as Error).message);
    }
    if (typeof parsed?.body !== "string" || checksum(parsed.body) !== parsed.checksum)
      throw new CorruptCheckpointError(what, "checksum mismatch");
    return JSON.parse(parsed.body) as CheckpointMetadata;
  }

  async readState(id: number, handle: StateHandle): Promise<Buffer> {
    const path = join(this.dir(id), handle.file);
    const what = `checkpoint ${id} state file ${path}`;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new CorruptCheckpointError(what, (error as Error).message);
    }
    if (bytes.length !== handle.size)
      throw new CorruptCheckpointError(what, `size ${bytes.length}, expected ${handle.size}`);
    if (checksum(bytes) !== handle.crc32) throw new CorruptCheckpointError(what, "checksum mismatch");
    return bytes;
  }

  async prune(retain: number): Promise<void> {
    const complete = await this.listCheckpoints();
    const keep = new Set(complete.slice(0, Math.max(1, retain)));
    const oldestKept = Math.min(...keep);
    let names: string[] = [];
    try {
      names = await readdir(this.location);
    } catch {}
    for (const name of names) {
      const match = /^chk-(\d+)$/.exec(name);
      if (match === null) continue;
      const id = Number(match[1]);
      if (!keep.has(id) && id < oldestKept)
        await rm(join(this.location, name), { recursive: true, force: true });
    }
  }

  async quarantine(id: number): Promise<string> {
    const target = join(this.location, `corrupt-chk-${id}-${Date.now()}`);
    await rename(this.dir(id), target);
    return target;
  }

  async discard(id: number): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }
}

async function writeFileDurably(path: string, bytes: Buffer | readonly Buffer[]): Promise<void> {
  const handle = await open(path, "w");
  try {
    // A write may write less than asked (a disk filling up); the next one then says why.
    for (const part of Buffer.isBuffer(bytes) ? [bytes] : bytes)
      for (let offset = 0; offset < part.length; ) {
        const { bytesWritten } = await handle.write(part, offset, part.length - offset);
        offset += bytesWritten;
      }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
