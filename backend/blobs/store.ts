import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredBlob {
  sha256: string;
  length: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed blob store in a directory: objects live at <dir>/<first two hex>/<sha256>.
 * Writes go to a temporary file first and are renamed into place, so a reader never sees half an object.
 */
export class BlobStore {
  constructor(readonly dir: string) {}

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (!(await this.has(sha256))) {
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
      const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
      await writeFile(temp, bytes);
      await rename(temp, path);
    }
    return { sha256, length: bytes.length };
  }

  /** The object's bytes, or null when the store has no such object. */
  async get(sha256: string): Promise<Buffer | null> {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    try {
      return await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }
}
