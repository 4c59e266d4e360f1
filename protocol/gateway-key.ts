// A vehicle's gateway key is registered and stored as base64 of the 32 raw Ed25519 bytes (the
// fleet API's format); TUF-style code (protocol/) speaks hex. These two are the only conversions.

/** The registered form of a gateway key given as hex (TUF `keyval.public`). */
export function gatewayKeyFromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** The hex form of a registered gateway key, or null when it is not 32 bytes of canonical base64. */
export function gatewayKeyToHex(registered: string): string | null {
  const raw = Buffer.from(registered, 'base64');
  return raw.length === 32 && raw.toString('base64') === registered ? raw.toString('hex') : null;
}
