import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../backend/blobs/store.ts';
import { seedFleet } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { ApiResult, Harness } from './harness.ts';

let h: Harness;
let eng: string;
let approver: string;
let sec: string;
const evidence = { reportRef: 'TR-2026-17', logSha256: 'b'.repeat(64) };

async function release(hardwareId: string, version: string, fixes: number[] = []) {
  const res = await h.call('POST', '/api/releases', eng, { hardwareId, version, supplier: 'Acme', fixes });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

async function uploadRaw(id: number, bytes: Uint8Array, query = '?fileName=bms.bin', token = eng) {
  const res = await h.app.request(`/api/releases/${id}/images${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as ApiResult['body'] };
}

const move = (id: number, to: string, extra: Record<string, unknown> = {}) =>
  h.call('POST', `/api/releases/${id}/transitions`, eng, { to, reason: `to ${to}`, ...extra });

/** available -> ... -> in_internal_test, with an image. */
async function readyForAuthorization(id: number) {
  expect((await uploadRaw(id, new Uint8Array([1, 2, 3, id]))).status).toBe(201);
  for (const [to, extra] of [
    ['in_test', {}],
    ['approved', { evidence }],
    ['released', {}],
    ['in_internal_test', {}],
  ] as const) {
    const res = await move(id, to, extra);
    expect(res.status, `${to}: ${JSON.stringify(res.body)}`).toBe(200);
  }
}

beforeAll(async () => {
  h = await createHarness({ maxImageBytes: 1024 });
  eng = (await h.user(['release_engineer'])).token;
  approver = (await h.user(['approver'])).token;
  sec = (await h.user(['security_engineer'])).token;
  await seedFleet(h.db, { count: 3, modelId: 'm1', hardwareId: 'HW-BRAKE', asil: 'D' });
  await seedFleet(h.db, { count: 3, modelId: 'm1', hardwareId: 'HW-RADIO', asil: 'QM', prefix: 'WVWZZZ2K' });
});
afterAll(() => h.destroy());

describe('release lifecycle', () => {
  it('stores uploaded images content-addressed (raw and base64) with hardware ids and version', async () => {
    const id = await release('HW-RADIO', '2.0.0');
    const raw = new TextEncoder().encode('radio firmware 2.0.0');
    const a = await uploadRaw(id, raw, '?fileName=radio.bin&hardwareIds=HW-RADIO,HW-RADIO-B');
    expect(a.status).toBe(201);
    const sha = createHash('sha256').update(raw).digest('hex');
    expect(a.body.images).toEqual([
      expect.objectContaining({
        sha256: sha,
        length: raw.length,
        hardwareIds: ['HW-RADIO', 'HW-RADIO-B'],
        version: '2.0.0',
      }),
    ]);
    expect(Buffer.from((await new BlobStore(h.blobDir).get(sha)) ?? [])).toEqual(Buffer.from(raw));
    const b = await h.call('POST', `/api/releases/${id}/images`, eng, {
      fileName: 'radio-cfg.bin',
      contentBase64: Buffer.from('config').toString('base64'),
    });
    expect(b.status).toBe(201);
    expect(b.body.images).toHaveLength(2);
  });

  it('refuses oversized, empty, unnamed and malformed uploads', async () => {
    const id = await release('HW-RADIO', '2.0.1');
    expect((await uploadRaw(id, new Uint8Array(2000))).status).toBe(413);
    expect((await uploadRaw(id, new Uint8Array(0))).status).toBe(422);
    const unnamed = await uploadRaw(id, new Uint8Array(5), '');
    expect(unnamed.body.errors[0].field).toBe('query.fileName');
    const traversal = await uploadRaw(id, new Uint8Array(5), '?fileName=../../etc/passwd');
    expect(traversal.body.errors[0].field).toBe('query.fileName');
    const badB64 = await h.call('POST', `/api/releases/${id}/images`, eng, {
      fileName: 'x.bin',
      contentBase64: 'not base64!',
    });
    expect(badB64.body.errors[0].field).toBe('json.contentBase64');
    const big = await h.call('POST', `/api/releases/${id}/images`, eng, {
      fileName: 'x.bin',
      contentBase64: Buffer.alloc(2000).toString('base64'),
    });
    expect(big.status).toBe(413);
    const res = await h.app.request(`/api/releases/${id}/images?fileName=a.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${eng}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    expect((await h.call('GET', `/api/releases/${id}`, eng)).body.images).toEqual([]);
  });

  it('walks the IEC 62443-2-3 states and refuses illegal moves', async () => {
    const id = await release('HW-RADIO', '3.0.0');
    expect((await move(id, 'in_test')).body.detail).toMatch(/attach at least one image/);
    await uploadRaw(id, new Uint8Array([9, 9, 9]));
    expect((await move(id, 'released')).status).toBe(409);
    expect((await move(id, 'in_test')).body.state).toBe('in_test');
    expect((await move(id, 'approved')).body.errors[0].field).toBe('json.evidence');
    expect((await move(id, 'approved', { evidence })).body.state).toBe('approved');
    expect((await uploadRaw(id, new Uint8Array([1]))).status).toBe(409);
    expect((await move(id, 'released')).body.state).toBe('released');
    expect((await move(id, 'in_internal_test')).body.state).toBe('in_internal_test');
    const selfAuth = await move(id, 'authorized', { evidence });
    expect(selfAuth.status).toBe(409);
    const auth = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'tested',
      evidence,
    });
    expect(auth.status).toBe(200);
    expect(auth.body.state).toBe('authorized');
    expect(auth.body.evidence.map((e: { stage: string }) => e.stage)).toEqual(['approved', 'authorized']);
    expect((await move(id, 'effective')).body.state).toBe('effective');
    expect((await move(id, 'in_test')).status).toBe(409);
  });

  it('requires a safety impact analysis for ASIL hardware', async () => {
    const id = await release('HW-BRAKE', '5.1.0');
    await readyForAuthorization(id);
    expect((await h.call('GET', `/api/releases/${id}`, eng)).body.safetyRelevant).toBe(true);
    const refused = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'ok',
      evidence,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/safety impact analysis/);
    const noEvidence = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'ok',
      safetyImpactAnalysis: 'SIA-77: braking function unchanged',
    });
    expect(noEvidence.body.errors[0].field).toBe('json.evidence');
    const ok = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'ok',
      evidence,
      safetyImpactAnalysis: 'SIA-77: braking function unchanged',
    });
    expect(ok.body).toMatchObject({ state: 'authorized', safetyImpactAnalysis: 'SIA-77: braking function unchanged' });
  });

  it('takes the safety impact analysis from the release engineer before the decision, audited with its reason', async () => {
    const id = await release('HW-BRAKE', '5.2.0');
    const sia = (body: unknown, token = eng) =>
      h.call('PUT', `/api/releases/${id}/safety-impact-analysis`, token, body);
    expect((await sia({ analysis: 'SIA-78', reason: 'x' }, approver)).status).toBe(403);
    const empty = await sia({ analysis: ' ', reason: 'draft' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].field).toBe('json.analysis');
    expect((await sia({ analysis: 'SIA-78: braking unchanged', reason: 'safety review 12' })).status).toBe(200);
    await readyForAuthorization(id);
    const ok = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'HIL passed',
      evidence,
    });
    expect(ok.body).toMatchObject({ state: 'authorized', safetyImpactAnalysis: 'SIA-78: braking unchanged' });
    const late = await sia({ analysis: 'SIA-79', reason: 'after the fact' });
    expect(late.status).toBe(409);
    const auditor = (await h.user(['auditor'])).token;
    const audit = await h.call('GET', `/api/audit?entityType=release&entityId=${id}`, auditor);
    const entry = (audit.body.items as { action: string; reason: string | null }[]).find(
      (e) => e.action === 'release.safety_impact_analysis',
    );
    expect(entry?.reason).toBe('safety review 12');
  });

  it('cannot authorise a fix while its vulnerability is not being addressed', async () => {
    const vuln = await h.call('POST', '/api/vulnerabilities', sec, {
      title: 'radio overflow',
      reporter: 'qa',
      reporterKind: 'internal',
    });
    const vid = vuln.body.id as number;
    const id = await release('HW-RADIO', '4.0.0', [vid]);
    await readyForAuthorization(id);
    const refused = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'ok',
      evidence,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(`${vid} (received)`);
    for (const to of ['reviewing', 'assessing']) {
      await h.call('POST', `/api/vulnerabilities/${vid}/transitions`, sec, { to, reason: 'triage' });
    }
    await h.call('PUT', `/api/vulnerabilities/${vid}/assessment`, sec, {
      cvssVector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L',
      exploitAvailable: false,
      workaroundExists: false,
      safetyRelevant: false,
    });
    await h.call('POST', `/api/vulnerabilities/${vid}/transitions`, sec, { to: 'addressing', reason: 'fix in 4.0.0' });
    const ok = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'ok',
      evidence,
    });
    expect(ok.body.state).toBe('authorized');
  });

  it('lets an approver refuse a release, which is final', async () => {
    const id = await release('HW-RADIO', '4.1.0');
    await readyForAuthorization(id);
    const no = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'not_authorized',
      reason: 'regression',
    });
    expect(no.body.state).toBe('not_authorized');
    const again = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'x',
      evidence,
    });
    expect(again.status).toBe(409);
    const list = await h.call('GET', '/api/releases?state=not_authorized', eng);
    expect(list.body.items.map((r: { id: number }) => r.id)).toEqual([id]);
  });
});
