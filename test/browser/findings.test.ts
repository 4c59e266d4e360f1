import { beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../backend/blobs/store.ts';
import { attachImage, createRelease } from '../../backend/releases/service.ts';
import { parseAdvisoryJson } from '../../backend/vulnerabilities/advisories/read.ts';
import { importAdvisories } from '../../backend/vulnerabilities/advisories/service.ts';
import { storeSbom } from '../../backend/vulnerabilities/sbom/service.ts';
import { HARDWARE_ID, OLD_VERSION, seedFleet, seedUser } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

describe('findings list in chromium', () => {
  const dashboard = useDashboard();
  let security: SeededUser;

  beforeAll(async () => {
    const db = dashboard.backend.db;
    security = await seedUser(db, 'sam', ['security_engineer']);
    const releaser = await seedUser(db, 'rita', ['release_engineer']);
    await seedFleet(db, 2);
    const release = await createRelease(db, releaser.actor, {
      hardwareId: HARDWARE_ID,
      version: OLD_VERSION,
      supplier: 'Acme',
      notes: '',
      fixes: [],
    });
    const withImage = await attachImage(db, new BlobStore(dashboard.backend.blobDir), releaser.actor, release.id, {
      fileName: 'bcm.bin',
      bytes: new TextEncoder().encode('bcm image'),
    });
    await storeSbom(db, releaser.actor, release.id, withImage.images[0]!.sha256, {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ type: 'library', name: 'lwip', version: '2.1.2', purl: 'pkg:generic/lwip@2.1.2' }],
    });
    const advisory = parseAdvisoryJson({
      id: 'OSV-LWIP-1',
      modified: '2024-01-01T00:00:00Z',
      aliases: ['CVE-2020-22283'],
      summary: 'lwIP ICMPv6 buffer overflow',
      affected: [
        {
          package: { ecosystem: 'generic', name: 'lwip', purl: 'pkg:generic/lwip' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.1.3' }] }],
        },
      ],
    });
    await importAdvisories(db, security.actor, advisory);
  }, 120_000);

  it('shows the match with its release, component and ECU count, linked to the vulnerability', async () => {
    const { context, page } = await dashboard.signedIn(security.token, '/ui/findings');
    try {
      const table = page.getByRole('table', { name: 'Findings' });
      const row = table.getByRole('row').nth(1);
      await expect.poll(() => row.textContent()).toContain('OSV-LWIP-1');
      const text = (await row.textContent()) ?? '';
      expect(text).toContain('CVE-2020-22283');
      expect(text).toContain(`${HARDWARE_ID} ${OLD_VERSION}`);
      expect(text).toContain('lwip 2.1.2');
      // Both seeded vehicles run this release on their BCM.
      expect(await row.getByRole('cell').nth(5).textContent()).toBe('2');
      await row.getByRole('link', { name: /^#\d+$/ }).click();
      await page.waitForURL(/\/ui\/vulnerabilities\/\d+$/);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('CVE-2020-22283');
    } finally {
      await context.close();
    }
  });
});
