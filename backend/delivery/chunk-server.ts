import { encodeChunkFrame, decodeMessage, vehicleTopic } from '@ota/protocol/messages';
import type { BlobStore } from '../blobs/store.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { isServableBlob } from '../tuf-repo/servable.ts';
import type { Db } from '../db/database.ts';

/** Bytes per chunks/data message: below broker message limits, large enough to keep overhead low. */
export const CHUNK_SIZE = 64 * 1024;

/**
 * Serves the byte ranges a gateway asks for, of authorised images and cached delta packages only,
 * each range split into CHUNK_SIZE frames. The gateway asks again for what it lacks after a
 * disconnect, so downloads resume where they stopped.
 */
export class ChunkServer {
  readonly #cache = new Map<string, Uint8Array>();

  constructor(private readonly deps: { db: Db; blobs: BlobStore; broker: BrokerClient }) {}

  /** The blob's bytes when it is something the backend may hand out. */
  async #blob(sha256: string): Promise<Uint8Array | undefined> {
    const cached = this.#cache.get(sha256);
    if (cached) return cached;
    if (!(await isServableBlob(this.deps.db, sha256))) return undefined;
    const bytes = await this.deps.blobs.get(sha256);
    if (!bytes) return undefined;
    // A few packages serve a whole campaign; keep the most recent ones.
    if (this.#cache.size >= 16) this.#cache.delete(this.#cache.keys().next().value!);
    const view = new Uint8Array(bytes);
    this.#cache.set(sha256, view);
    return view;
  }

  /** Returns a refusal reason, or undefined when every requested chunk was published. */
  async handle(vin: string, payload: Uint8Array): Promise<string | undefined> {
    const request = decodeMessage('chunks/request', payload);
    const blob = await this.#blob(request.sha256);
    if (!blob) return `${request.sha256} is not an authorised image or delta package`;
    const topic = vehicleTopic(vin, 'chunks/data');
    const sends: Promise<void>[] = [];
    for (const range of request.ranges) {
      if (range.offset >= blob.length)
        return `range at ${range.offset} is past the end of ${request.sha256} (${blob.length} bytes)`;
      const end = Math.min(blob.length, range.offset + range.length);
      for (let offset = range.offset; offset < end; offset += CHUNK_SIZE) {
        const data = blob.subarray(offset, Math.min(end, offset + CHUNK_SIZE));
        const header = {
          requestId: request.requestId,
          sha256: request.sha256,
          offset,
          length: data.length,
          totalLength: blob.length,
        };
        sends.push(this.deps.broker.publish(topic, encodeChunkFrame(header, data)));
      }
    }
    await Promise.all(sends);
    return undefined;
  }
}
