// SBOMs and advisories written for the tests, shaped like the public ones (syft/cdxgen CycloneDX,
// SPDX from a Yocto build, osv.dev Debian and GHSA records, a vendor CSAF 2.0 advisory).

export function cyclonedx(specVersion: '1.5' | '1.6', components: unknown[]) {
  return {
    $schema: `http://cyclonedx.org/schema/bom-${specVersion}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion,
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2026-11-02T10:00:00Z',
      component: { type: 'firmware', name: 'tcu-image', version: '1.0.0' },
    },
    components,
  };
}

export const TCU_100_COMPONENTS = [
  {
    type: 'library',
    name: 'openssl',
    version: '3.0.11-1~deb12u1',
    purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=arm64&distro=debian-12',
  },
  {
    type: 'application',
    name: 'busybox',
    version: '1.36.1',
    cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*',
  },
  { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
  // Listed without purl or CPE: kept in the document, not matchable.
  { type: 'file', name: 'calibration.bin', version: '7' },
];

export function spdx(packages: { name: string; version: string; purl?: string; cpe?: string }[]) {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'tcu-image-1.1.0',
    documentNamespace: 'https://ota.example/spdxdocs/tcu-image-1.1.0-6a1b',
    creationInfo: { created: '2026-11-03T08:00:00Z', creators: ['Tool: yocto-spdx'] },
    packages: packages.map((p, i) => ({
      SPDXID: `SPDXRef-Package-${i}`,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      externalRefs: [
        ...(p.purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] : []),
        ...(p.cpe ? [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: p.cpe }] : []),
      ],
    })),
  };
}

export function osvOpenssl(modified: string, events: unknown[]) {
  return {
    schema_version: '1.6.0',
    id: 'DEBIAN-CVE-2023-5678',
    modified,
    published: '2023-11-06T16:15:00Z',
    aliases: ['CVE-2023-5678'],
    summary: 'openssl: DH key generation and checking is slow with excessively long parameters',
    details: 'Generating excessively long X9.42 DH keys or checking them may be very slow.',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl', purl: 'pkg:deb/debian/openssl?arch=source' },
        ranges: [{ type: 'ECOSYSTEM', events }],
      },
    ],
  };
}

export const OSV_LODASH = {
  schema_version: '1.6.0',
  id: 'GHSA-35jh-r3h4-6jhm',
  modified: '2024-02-16T08:00:00Z',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  details: '`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
  ],
};

export const CSAF_BUSYBOX = {
  document: {
    category: 'csaf_security_advisory',
    csaf_version: '2.0',
    title: 'BusyBox awk heap overflow in the TCU base image',
    publisher: { category: 'vendor', name: 'Acme Telematics', namespace: 'https://acme.example' },
    tracking: {
      id: 'ACME-SA-2024-001',
      status: 'final',
      version: '2',
      initial_release_date: '2024-01-10T09:00:00Z',
      current_release_date: '2024-02-01T09:00:00Z',
      revision_history: [
        { date: '2024-01-10T09:00:00Z', number: '1', summary: 'Initial' },
        { date: '2024-02-01T09:00:00Z', number: '2', summary: 'Fixed version added' },
      ],
    },
  },
  product_tree: {
    branches: [
      {
        category: 'vendor',
        name: 'BusyBox',
        branches: [
          {
            category: 'product_name',
            name: 'busybox',
            branches: [
              {
                category: 'product_version',
                name: '1.36.1',
                product: {
                  product_id: 'BB-1.36.1',
                  name: 'BusyBox 1.36.1',
                  product_identification_helper: { cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*' },
                },
              },
              {
                category: 'product_version',
                name: '1.36.2',
                product: {
                  product_id: 'BB-1.36.2',
                  name: 'BusyBox 1.36.2',
                  product_identification_helper: { cpe: 'cpe:2.3:a:busybox:busybox:1.36.2:*:*:*:*:*:*:*' },
                },
              },
            ],
          },
        ],
      },
    ],
  },
  vulnerabilities: [
    {
      cve: 'CVE-2022-48174',
      title: 'awk heap overflow',
      notes: [{ category: 'description', text: 'A stack overflow in ash/awk allows code execution.' }],
      product_status: { known_affected: ['BB-1.36.1'], fixed: ['BB-1.36.2'] },
      scores: [
        {
          products: ['BB-1.36.1'],
          cvss_v3: {
            version: '3.1',
            vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            baseScore: 9.8,
            baseSeverity: 'CRITICAL',
          },
        },
      ],
      remediations: [{ category: 'vendor_fix', details: 'Update to BusyBox 1.36.2.', product_ids: ['BB-1.36.1'] }],
    },
  ],
};

/** A product under a product_version_range branch (CSAF 2.0 section 3.1.2.1, vers notation). */
function rangeBranch(range: string, productId: string, helper: { purl: string } | { cpe: string }) {
  return {
    category: 'product_version_range',
    name: range,
    product: { product_id: productId, name: `${productId} ${range}`, product_identification_helper: helper },
  };
}

/** A supplier CSAF 2.0 advisory that names affected versions as vers ranges, one vulnerability per package. */
export function csafVersRanges(ranges: { openssl: string; opensslFixed: string; lodash: string; busybox: string }) {
  const doc = structuredClone(CSAF_BUSYBOX) as Record<string, unknown> & typeof CSAF_BUSYBOX;
  doc.document.tracking.id = 'ACME-SA-2024-007';
  const cve = (id: string, title: string, affected: string[], fixed: string[] = []) => ({
    cve: id,
    title,
    notes: [{ category: 'description', text: title }],
    product_status: { known_affected: affected, ...(fixed.length > 0 ? { fixed } : {}) },
  });
  return {
    ...doc,
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Acme Telematics',
          branches: [
            {
              category: 'product_name',
              name: 'TCU base image packages',
              branches: [
                rangeBranch(ranges.openssl, 'OPENSSL-AFFECTED', { purl: 'pkg:deb/debian/openssl' }),
                rangeBranch(ranges.opensslFixed, 'OPENSSL-FIXED', { purl: 'pkg:deb/debian/openssl' }),
                rangeBranch(ranges.lodash, 'LODASH-AFFECTED', { purl: 'pkg:npm/lodash' }),
                rangeBranch(ranges.busybox, 'BUSYBOX-AFFECTED', {
                  cpe: 'cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*',
                }),
                // Free-text ranges are legal CSAF but cannot be evaluated: skipped, never matched.
                rangeBranch('all versions before 2.0', 'ZLIB-TEXT', { purl: 'pkg:generic/zlib' }),
              ],
            },
          ],
        },
      ],
    },
    vulnerabilities: [
      cve('CVE-2024-0727', 'openssl: PKCS12 NULL dereference', ['OPENSSL-AFFECTED'], ['OPENSSL-FIXED']),
      cve('CVE-2020-28500', 'lodash: ReDoS in toNumber', ['LODASH-AFFECTED']),
      cve('CVE-2023-42363', 'busybox: awk use after free', ['BUSYBOX-AFFECTED', 'ZLIB-TEXT']),
    ],
  };
}
