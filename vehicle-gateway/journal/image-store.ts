// Content-addressed copies of ECU images in the state directory (`images/<sha256>.bin` plus `<sha256>.json`
// with the version and the code-signing signatures): delta bases, single-bank rollback images, the images of an
// update that must survive a restart. Every read checks the hash, so a damaged copy is never flashed.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../flash/image.ts';
import { writeFileAtomic } from './atomic-file.ts';

const metaSchema = z.strictObject({
  version: z.string().min(1),
  hardwareId: z.string().min(1),
  signatures: z.array(z.string().regex(/^[0-9a-f]{128}$/)).min(1),
});
export type StoredImageMeta = z.infer<typeof metaSchema>;

export interface StoredImage {
  sha256: string;
  bytes: Uint8Array;
  version: string;
  hardwareId: string;
  signatures: Uint8Array[];
}

export class ImageStoreError extends Error {
  override readonly name = 'ImageStoreError';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ImageStore {
  constructor(readonly dir: string) {}

  private paths(sha256: string): { bin: string; meta: string } {
    if (!SHA256_HEX.test(sha256)) throw new ImageStoreError(`"${sha256}" is not a SHA-256 hex digest`);
    return { bin: join(this.dir, `${sha256}.bin`), meta: join(this.dir, `${sha256}.json`) };
  }

  /** Stores an image (idempotent); returns its SHA-256. */
  put(bytes: Uint8Array, meta: { version: string; hardwareId: string; signatures: readonly Uint8Array[] }): string {
    const sha256 = sha256Hex(bytes);
    const p = this.paths(sha256);
    const record: StoredImageMeta = {
      version: meta.version,
      hardwareId: meta.hardwareId,
      signatures: meta.signatures.map((s) => Buffer.from(s).toString('hex')),
    };
    metaSchema.parse(record);
    if (!existsSync(p.bin)) writeFileAtomic(p.bin, bytes);
    writeFileAtomic(p.meta, JSON.stringify(record));
    return sha256;
  }

  has(sha256: string): boolean {
    const p = this.paths(sha256);
    return existsSync(p.bin) && existsSync(p.meta);
  }

  /** Deletes every image but `keep` (the images the ECUs run now: the next delta bases and rollback images). */
  retainOnly(keep: ReadonlySet<string>): number {
    if (!existsSync(this.dir)) return 0;
    let removed = 0;
    for (const f of readdirSync(this.dir)) {
      const sha = f.slice(0, 64);
      if (!SHA256_HEX.test(sha) || keep.has(sha)) continue;
      rmSync(join(this.dir, f), { force: true });
      if (f.endsWith('.bin')) removed++;
    }
    return removed;
  }

  /** The image, or null when absent or damaged (its bytes no longer hash to the name). */
  get(sha256: string): StoredImage | null {
    if (!this.has(sha256)) return null;
    const p = this.paths(sha256);
    const bytes = new Uint8Array(readFileSync(p.bin));
    if (sha256Hex(bytes) !== sha256) return null;
    const meta = metaSchema.safeParse(JSON.parse(readFileSync(p.meta, 'utf8')));
    if (!meta.success) return null;
    return {
      sha256,
      bytes,
      version: meta.data.version,
      hardwareId: meta.data.hardwareId,
      signatures: meta.data.signatures.map((s) => new Uint8Array(Buffer.from(s, 'hex'))),
    };
  }
}
