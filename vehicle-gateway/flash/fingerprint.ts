// The programming fingerprint written to F15A before erasing (flash-protocol.md): tester id, date, reference.

/** `<testerId>;<YYYY-MM-DD>;<reference>`, latin1, at most 64 bytes. */
export function fingerprint(testerId: string, reference: string, now = new Date()): Uint8Array {
  return new Uint8Array(
    Buffer.from(`${testerId};${now.toISOString().slice(0, 10)};${reference}`.slice(0, 64), 'latin1'),
  );
}
