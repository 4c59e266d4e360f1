import { describe, expect, it } from 'vitest';
import { parseSbom } from '../../../backend/vulnerabilities/sbom/parse.ts';
import { exampleSbom } from '../../../ecu-sim/vehicles/sboms/example-sboms.ts';

describe("the example ECUs' SBOMs", () => {
  it.each([
    ['ECM-HW-0400', ['freertos-kernel@10.5.1', 'mbedtls@2.28.3', 'autosar-crypto-stack@4.2.0']],
    ['BCM-HW-0210', ['freertos-kernel@10.4.6', 'lwip@2.1.3', 'tinycbor@0.6.0']],
    ['ADAS-HW-0900', ['linux-kernel@5.15.148', 'openssl@3.0.11-1~deb12u2', 'zlib@1:1.2.13.dfsg-1', 'busybox@1.36.1']],
  ])('%s is valid CycloneDX 1.6 with identified components', async (hardwareId, components) => {
    const sbom = await parseSbom(exampleSbom(hardwareId));
    expect(sbom).toMatchObject({ format: 'cyclonedx', specVersion: '1.6', unidentified: 0 });
    expect(sbom.components.map((c) => `${c.name}@${c.version}`)).toEqual(components);
  });
});
