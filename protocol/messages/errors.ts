/** A message that does not decode or validate; names the kind and what is wrong. */
export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
  constructor(
    readonly kind: string,
    detail: string,
  ) {
    super(`${kind} message: ${detail}`);
  }
}
