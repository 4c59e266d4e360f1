import { NUL_MESSAGE, nulFields } from '../nul-fields.ts';
import { describeZodError } from '../tuf/schemas.ts';
import { MessageDecodeError } from './errors.ts';
import { PAYLOAD_SCHEMAS } from './payloads.ts';
import type { JsonMessageKind, MessagePayload } from './payloads.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const toUtf8 = new TextEncoder();
/** How JSON writes U+0000 in a string (raw, it is not valid JSON): a text without it holds none. */
const ESCAPED_NUL = '\\u0000';

/** Validates `payload` for `kind` and encodes it as UTF-8 JSON; throws MessageDecodeError if invalid. */
export function encodeMessage<K extends JsonMessageKind>(kind: K, payload: MessagePayload<K>): Uint8Array {
  const parsed = PAYLOAD_SCHEMAS[kind].safeParse(payload);
  if (!parsed.success) throw new MessageDecodeError(kind, `refusing to send: ${describeZodError(parsed.error)}`);
  return toUtf8.encode(JSON.stringify(parsed.data));
}

/** Decodes and validates a received payload of `kind`; throws MessageDecodeError naming the problem. */
export function decodeMessage<K extends JsonMessageKind>(kind: K, payload: Uint8Array): MessagePayload<K> {
  let json: unknown;
  let text: string;
  try {
    text = utf8.decode(payload);
    json = JSON.parse(text);
  } catch (error) {
    throw new MessageDecodeError(kind, `not UTF-8 JSON (${(error as Error).message})`);
  }
  const parsed = PAYLOAD_SCHEMAS[kind].safeParse(json);
  if (!parsed.success) throw new MessageDecodeError(kind, describeZodError(parsed.error));
  // Text from a vehicle ends up in PostgreSQL, which refuses U+0000: such a message is malformed.
  // (Looked for field by field only when the text has one: walking every report cost ~1 % of the backend.)
  const nul = text.includes(ESCAPED_NUL) ? nulFields(parsed.data, kind) : [];
  if (nul.length > 0) throw new MessageDecodeError(kind, nul.map((f) => `${f}: ${NUL_MESSAGE}`).join('; '));
  return parsed.data as MessagePayload<K>;
}
