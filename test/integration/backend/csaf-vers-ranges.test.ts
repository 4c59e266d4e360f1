// CSAF product_version_range branches in vers notation, matched in each ecosystem's version order
// against SBOM components stored in PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFleet } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';
import { putSbom, releaseWithImage } from './monitoring-api.ts';
import { csafVersRanges, cyclonedx } from './monitoring-documents.ts';

let h: Harness;
let eng: string;
let sec: string;

async function releaseWithSbom(hardwareId: string, version: string, components: unknown[]) {
  const r = await releaseWithImage(h, eng, hardwareId, version);
  const sbom = await putSbom(h, r, cyclonedx('1.6', components), eng);
  expect(sbom.status, JSON.stringify(sbom.body)).toBe(200);
}

const component = (name: string, version: string, id: { purl: string } | { cpe: string }) => ({
  type: 'library',
  name,
  version,
  ...id,
});

beforeAll(async () => {
  h = await createHarness();
  eng = (await h.user(['release_engineer'])).token;
  sec = (await h.user(['security_engineer'])).token;
  await seedFleet(h.db, { count: 2, modelId: 'm1', hardwareId: 'HW-TCU', version: '1.0.0' });
  await seedFleet(h.db, { count: 3, modelId: 'm1', hardwareId: 'HW-BCM', version: '2.0.0', prefix: 'WVWZZZ3K' });
  // TCU 1.0.0: versions inside each range.
  await releaseWithSbom('HW-TCU', '1.0.0', [
    component('openssl', '3.0.11-1~deb12u1', { purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=arm64' }),
    component('lodash', '4.17.20', { purl: 'pkg:npm/lodash@4.17.20' }),
    component('busybox', '1.36.1', { cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*' }),
    component('zlib', '1.2.13', { purl: 'pkg:generic/zlib@1.2.13' }),
  ]);
  // BCM 2.0.0: each version sorts above its range in its own order, below it as text.
  await releaseWithSbom('HW-BCM', '2.0.0', [
    component('openssl', '3.0.11-1', { purl: 'pkg:deb/debian/openssl@3.0.11-1' }),
    component('lodash', '4.17.21', { purl: 'pkg:npm/lodash@4.17.21' }),
    component('busybox', '1.36.10', { cpe: 'cpe:2.3:a:busybox:busybox:1.36.10:*:*:*:*:*:*:*' }),
  ]);
});
afterAll(() => h.destroy());

const RANGES = {
  openssl: 'vers:deb/>=3.0.0|<3.0.11-1~deb12u2',
  opensslFixed: 'vers:deb/>=3.0.11-1~deb12u2',
  lodash: 'vers:npm/>=4.0.0|<4.17.21',
  busybox: 'vers:generic/>=1.36.0|<1.36.2',
};

describe('CSAF product_version_range (vers)', () => {
  it('matches each range in its scheme order: exactly the TCU components, none of the BCM ones', async () => {
    const res = await h.call('POST', '/api/advisories', sec, csafVersRanges(RANGES));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.created).toEqual([
      'ACME-SA-2024-007#CVE-2024-0727',
      'ACME-SA-2024-007#CVE-2020-28500',
      'ACME-SA-2024-007#CVE-2023-42363',
    ]);
    expect(res.body.matching.newFindings).toBe(3);
    const all = (await h.call('GET', '/api/findings', sec)).body as {
      advisory: { id: string };
      release: { version: string };
      component: { name: string; version: string };
    }[];
    expect(
      all.map((f) => `${f.advisory.id} ${f.release.version} ${f.component.name}@${f.component.version}`).sort(),
    ).toEqual([
      'ACME-SA-2024-007#CVE-2020-28500 1.0.0 lodash@4.17.20',
      'ACME-SA-2024-007#CVE-2023-42363 1.0.0 busybox@1.36.1',
      'ACME-SA-2024-007#CVE-2024-0727 1.0.0 openssl@3.0.11-1~deb12u1',
    ]);
  });

  it('refuses a malformed vers range with a 422 naming the branch, importing nothing', async () => {
    const before = (await h.db.selectFrom('audit_log').select('seq').execute()).length;
    const res = await h.call('POST', '/api/advisories', sec, {
      ...csafVersRanges({ ...RANGES, lodash: 'vers:npm/>=4.0.0|<=4.0.0' }),
      document: {
        ...csafVersRanges(RANGES).document,
        tracking: { ...csafVersRanges(RANGES).document.tracking, id: 'X-1' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.detail).toMatch(/version 4\.0\.0 appears twice/);
    expect(JSON.stringify(res.body)).toMatch(/product_tree\/branches\/0\/branches\/0\/branches\/2\/name/);
    expect((await h.db.selectFrom('audit_log').select('seq').execute()).length).toBe(before);
  });
});
