// ECU-side deltas (what a delta-capable ECU rebuilds a region from), encoded once per (base region, target
// region, encoding profile) and kept in the state directory beside the image store: `ecu-deltas/<key>.delta`,
// where the key hashes the three inputs and the file holds the payload's SHA-256 followed by the payload.
// Prepared when an update is downloaded, so flashing only reads it. Written atomically; a damaged file is
// re-encoded, never sent (and the ECU's signature check over the rebuilt bank would refuse it anyway).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encode as encodeDelta } from '@ota/delta';
import { sha256Hex } from '../flash/image.ts';
import type { DeltaEncoder } from '../flash/transfer-plan.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { ImageStore } from './image-store.ts';

/** How the gateway encodes ECU-side deltas; part of the cache key, so a change re-encodes. */
export const ECU_DELTA_PROFILE = 'delta-v1-q9';
const QUALITY = 9;
const HASH_BYTES = 32;

/** One kind of ECU-side delta: its profile (part of the key) and its encoder. */
export interface EcuDeltaKind {
  profile: string;
  encode: DeltaEncoder;
}

const ECU_DELTA: EcuDeltaKind = {
  profile: ECU_DELTA_PROFILE,
  encode: (base, target) => encodeDelta(base, target, { quality: QUALITY }),
};

export class EcuDeltaCache {
  /** Encodes done by this instance (cache misses), for tests and benches. */
  encodes = 0;

  constructor(
    readonly dir: string,
    private readonly kind: EcuDeltaKind = ECU_DELTA,
  ) {}

  private file(base: Uint8Array, target: Uint8Array): string {
    const key = sha256Hex(
      Buffer.from(`${sha256Hex(base)}:${sha256Hex(target)}:${this.kind.profile}:${target.length}`, 'utf8'),
    );
    return join(this.dir, `${key}.delta`);
  }

  /** The cached payload, or null when absent or damaged. */
  private read(file: string): Uint8Array | null {
    if (!existsSync(file)) return null;
    const stored = new Uint8Array(readFileSync(file));
    if (stored.length < HASH_BYTES) return null;
    const payload = stored.subarray(HASH_BYTES);
    return Buffer.from(stored.subarray(0, HASH_BYTES)).toString('hex') === sha256Hex(payload) ? payload : null;
  }

  /** The delta from `base` to `target`: from the cache, or encoded now and stored. */
  get(base: Uint8Array, target: Uint8Array): Uint8Array {
    const file = this.file(base, target);
    const cached = this.read(file);
    if (cached) return cached;
    const payload = this.kind.encode(base, target);
    this.encodes++;
    writeFileAtomic(file, Buffer.concat([Buffer.from(sha256Hex(payload), 'hex'), payload]));
    return payload;
  }

  has(base: Uint8Array, target: Uint8Array): boolean {
    return this.read(this.file(base, target)) !== null;
  }

  /** Deletes every cached delta (after an update finished, its deltas are never asked for again). */
  clear(): number {
    if (!existsSync(this.dir)) return 0;
    const files = readdirSync(this.dir).filter((f) => f.endsWith('.delta'));
    for (const f of files) rmSync(join(this.dir, f), { force: true });
    return files.length;
  }

  encoder(): DeltaEncoder {
    return (base, target) => this.get(base, target);
  }
}

/** The delta cache of a state directory: `ecu-deltas/` beside the image store's directory. */
export function ecuDeltaCacheBeside(images: ImageStore, kind: EcuDeltaKind = ECU_DELTA): EcuDeltaCache {
  return new EcuDeltaCache(join(dirname(images.dir), 'ecu-deltas'), kind);
}
