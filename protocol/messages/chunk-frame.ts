/**
 * `chunks/data` payloads are binary, not base64 JSON: base64 costs a third more bytes on the
 * vehicle's link and a copy on each end. Layout:
 *
 *   byte 0       frame format version (1)
 *   bytes 1-2    header length N, unsigned big-endian
 *   bytes 3..    N bytes of UTF-8 JSON header (ChunkHeaderSchema)
 *   rest         the chunk's bytes; exactly header.length of them
 */
import { z } from 'zod';
import { describeZodError, Sha256HexSchema } from '../tuf/schemas.ts';
import { MessageDecodeError } from './errors.ts';
import { RequestIdSchema } from './payloads.ts';

export const CHUNK_FRAME_VERSION = 1;
const KIND = 'chunks/data';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export const ChunkHeaderSchema = z
  .object({
    requestId: RequestIdSchema,
    /** The blob this chunk belongs to. */
    sha256: Sha256HexSchema,
    offset: z.number().int().nonnegative(),
    length: z.number().int().nonnegative(),
    /** Length of the whole blob, so the gateway can stop at it (endless data attack). */
    totalLength: z.number().int().nonnegative(),
  })
  .refine((h) => h.offset + h.length <= h.totalLength, { message: 'chunk extends past totalLength', path: ['length'] });
export type ChunkHeader = z.infer<typeof ChunkHeaderSchema>;

export interface ChunkFrame {
  readonly header: ChunkHeader;
  readonly data: Uint8Array;
}

export function encodeChunkFrame(header: ChunkHeader, data: Uint8Array): Uint8Array {
  const parsed = ChunkHeaderSchema.safeParse(header);
  if (!parsed.success) throw new MessageDecodeError(KIND, `refusing to send: ${describeZodError(parsed.error)}`);
  if (data.length !== header.length)
    throw new MessageDecodeError(KIND, `refusing to send: ${data.length} bytes, header says ${header.length}`);
  const json = new TextEncoder().encode(JSON.stringify(parsed.data));
  if (json.length > 0xffff) throw new MessageDecodeError(KIND, 'refusing to send: header longer than 65535 bytes');
  const frame = new Uint8Array(3 + json.length + data.length);
  frame[0] = CHUNK_FRAME_VERSION;
  new DataView(frame.buffer).setUint16(1, json.length);
  frame.set(json, 3);
  frame.set(data, 3 + json.length);
  return frame;
}

/** Decodes a frame; `data` is a view into `frame` (no copy). */
export function decodeChunkFrame(frame: Uint8Array): ChunkFrame {
  if (frame.length < 3)
    throw new MessageDecodeError(KIND, `frame of ${frame.length} bytes is shorter than its 3-byte prefix`);
  if (frame[0] !== CHUNK_FRAME_VERSION)
    throw new MessageDecodeError(KIND, `frame format version ${frame[0]}, expected ${CHUNK_FRAME_VERSION}`);
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint16(1);
  if (3 + headerLength > frame.length)
    throw new MessageDecodeError(KIND, `header of ${headerLength} bytes runs past the frame`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(frame.subarray(3, 3 + headerLength)));
  } catch (error) {
    throw new MessageDecodeError(KIND, `header is not UTF-8 JSON (${(error as Error).message})`);
  }
  const header = ChunkHeaderSchema.safeParse(json);
  if (!header.success) throw new MessageDecodeError(KIND, `header: ${describeZodError(header.error)}`);
  const data = frame.subarray(3 + headerLength);
  if (data.length !== header.data.length) {
    throw new MessageDecodeError(KIND, `${data.length} data bytes, header says ${header.data.length}`);
  }
  return { header: header.data, data };
}
