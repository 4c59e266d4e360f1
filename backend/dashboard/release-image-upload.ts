import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { attachImage } from '../releases/service.ts';
import { imageTooLarge } from '../releases/routes.ts';
import { FileName, hardwareIdList } from '../releases/schemas.ts';
import { actorFor } from './context.ts';
import type { PageContext } from './context.ts';
import { attempt, FormError, parseForm } from './form-errors.ts';
import { setFlash } from './flash.ts';
import type { DashboardEnv } from './session.ts';

export const UPLOAD_LABELS = { fileName: 'Image file name', hardwareIds: 'Fits hardware ids', body: 'Image files' };

const UploadName = z.object({ fileName: FileName });

/** One image through the release service, with the API's checks: name, hardware ids, size. */
async function attachOne(
  c: Context<DashboardEnv>,
  ctx: PageContext,
  id: number,
  file: Blob,
  name: string,
  ids: string,
) {
  const { fileName } = parseForm(UploadName, { fileName: name }, UPLOAD_LABELS);
  const hardwareIds = hardwareIdList(ids);
  if (file.size > ctx.images.maxBytes) throw imageTooLarge(ctx.images.maxBytes);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const release = await attachImage(ctx.db, ctx.images.blobs, actorFor(c.get('user')), id, {
    fileName,
    bytes,
    hardwareIds,
  });
  return { release, fileName };
}

/**
 * Image uploads from the release page. Its script sends each file as raw bytes (`?fileName=`) so it
 * can show a progress bar, and gets JSON back with the sha256 the server stored; without scripts the
 * form posts multipart and the page shows the outcome.
 */
export async function readImageUploads(c: Context<DashboardEnv>, ctx: PageContext, id: number): Promise<Response> {
  if ((c.req.header('content-type') ?? '').startsWith('application/octet-stream')) {
    const body = new Blob([await c.req.arrayBuffer()]);
    const result = await attempt(UPLOAD_LABELS, () =>
      attachOne(c, ctx, id, body, c.req.query('fileName') ?? '', c.req.query('hardwareIds') ?? ''),
    );
    if (!result.ok) return c.json({ ok: false, error: result.messages.join('; ') }, 422);
    const image = result.value.release.images.find((i) => i.fileName === result.value.fileName);
    return c.json({ ok: true, fileName: result.value.fileName, sha256: image?.sha256, length: image?.length });
  }
  const form = await c.req.parseBody({ all: true });
  const files = [form.image ?? []].flat().filter((f): f is File => typeof f !== 'string' && f.name !== '');
  const ids = typeof form.hardwareIds === 'string' ? form.hardwareIds : '';
  const result = await attempt(UPLOAD_LABELS, async () => {
    if (files.length === 0) throw new FormError([`${UPLOAD_LABELS.body}: choose at least one file`]);
    const stored: string[] = [];
    for (const file of files) stored.push((await attachOne(c, ctx, id, file, file.name, ids)).fileName);
    return stored;
  });
  setFlash(
    c,
    result.ok
      ? { kind: 'ok', text: `Stored ${result.value.join(', ')}.` }
      : { kind: 'error', text: `Not stored: ${result.messages.join('; ')}` },
  );
  return c.redirect(`/ui/releases/${id}`, 303);
}
