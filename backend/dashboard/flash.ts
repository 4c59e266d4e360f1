import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

// The outcome of a form post, shown once on the page the post redirects to (post/redirect/get).
const FLASH_COOKIE = 'ota_flash';

export interface FlashMessage {
  kind: 'ok' | 'error';
  text: string;
}

export function setFlash(c: Context, message: FlashMessage): void {
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify(message)).toString('base64url'), {
    path: '/ui',
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: 60,
  });
}

export function takeFlash(c: Context): FlashMessage | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: '/ui' });
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<FlashMessage>;
    if ((value.kind === 'ok' || value.kind === 'error') && typeof value.text === 'string') {
      return { kind: value.kind, text: value.text.slice(0, 500) };
    }
  } catch {
    // a mangled cookie shows nothing
  }
  return null;
}
