// The release steps the monitoring tests share, through the API: a release with one image, its SBOM.
import type { Harness } from './harness.ts';

export interface ReleaseImage {
  id: number;
  sha: string;
}

export async function releaseWithImage(h: Harness, token: string, hardwareId: string, version: string) {
  const created = await h.call('POST', '/api/releases', token, { hardwareId, version, supplier: 'Acme', fixes: [] });
  const id = created.body.id as number;
  const res = await h.app.request(`/api/releases/${id}/images?fileName=${hardwareId}.bin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new TextEncoder().encode(`${hardwareId} ${version}`),
  });
  const body = (await res.json()) as { images: { sha256: string }[] };
  return { id, sha: body.images[0]?.sha256 as string } satisfies ReleaseImage;
}

export const putSbom = (h: Harness, r: ReleaseImage, doc: unknown, token: string) =>
  h.call('PUT', `/api/releases/${r.id}/images/${r.sha}/sbom`, token, doc);
