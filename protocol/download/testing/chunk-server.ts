// For tests of a download: a chunk channel whose server answers each request with the frames `answer`
// picks (a lost frame is one it leaves out), a network turn later, and records what was asked.
import type { ChunkFrame } from '../../messages/chunk-frame.ts';
import type { ByteRange } from '../byte-ranges.ts';
import type { ChunkChannel } from '../download-blob.ts';

export function chunkServer(
  blob: Uint8Array,
  answer: (ranges: ByteRange[], call: number) => ByteRange[],
  totalLength = blob.length,
): { channel: ChunkChannel; asked: ByteRange[][] } {
  const asked: ByteRange[][] = [];
  let listener: ((frame: ChunkFrame) => void) | null = null;
  const channel: ChunkChannel = {
    async requestChunks(requestId, sha256, ranges) {
      asked.push(ranges);
      const send = answer(ranges, asked.length);
      setTimeout(() => {
        for (const r of send)
          listener?.({
            header: { requestId, sha256, offset: r.offset, length: r.length, totalLength },
            data: blob.subarray(r.offset, r.offset + r.length),
          });
      }, 0);
    },
    onChunk(l) {
      listener = l;
      return () => (listener = null);
    },
  };
  return { channel, asked };
}
