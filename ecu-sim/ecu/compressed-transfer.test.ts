import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encode as encodeDelta } from '@ota/delta';
import { DiagnosticSession, encodeMemoryRange, RoutineId, sha256, type UdsClient } from '@ota/uds';
import { generateImage } from '../image/generate-image.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { testSigningKeyHex, testVehicle } from '../testing/test-vehicle.ts';
import { signImage } from '../testing/tester.ts';

let harness: Harness;
afterEach(async () => harness.close());

async function unlocked(name: string): Promise<UdsClient> {
  const { client } = harness.tester(name);
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, Buffer.from(harness.vehicle.ecu(name).definition.simulation.securitySecret, 'hex'));
  return client;
}

/** Downloads `data` (compressed with the given format) and checks the flashed `image`'s signature. */
async function downloadAndCheck(
  client: UdsClient,
  address: number,
  data: Uint8Array,
  dataFormatIdentifier: number,
  image: Uint8Array,
): Promise<void> {
  await client.download({ address, data, dataFormatIdentifier, uncompressedSize: image.length });
  expect(await client.startRoutine(RoutineId.checkMemory, signImage(testSigningKeyHex(), image))).toEqual(
    Uint8Array.of(0),
  );
}

function images(name: string): { current: Uint8Array; next: Uint8Array } {
  const def = harness.vehicle.ecu(name).definition;
  const spec = { hardwareId: def.identification.hardwareId, regionIndex: 0, size: def.flash.regions[0]!.size };
  const current = generateImage({ ...spec, softwareVersion: def.simulation.softwareVersion });
  const next = Uint8Array.from(current);
  next.set(Buffer.from('5.0.4\0'), 8); // a small patch: new version in the info block and a few bytes
  next.set(Uint8Array.of(1, 2, 3, 4), 5000);
  return { current, next };
}

describe('compressed TransferData', () => {
  it('a dual-bank ECU rebuilds a delta package against its active bank into the inactive one', async () => {
    harness = await startHarness();
    const client = await unlocked('adas');
    const region = harness.vehicle.ecu('adas').definition.flash.regions[0]!;
    const { current, next } = images('adas');
    const pkg = encodeDelta(current, next, { quality: 5 });
    expect(pkg.length).toBeLessThan(next.length / 10);
    await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
    await downloadAndCheck(client, region.address, pkg, 0x10, next);
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
    expect(Buffer.from(await client.readDataByIdentifier(0xf189)).toString()).toBe('5.0.4');
  });

  it('a single-bank ECU patches a delta in place (no erase by the tester)', async () => {
    const definition = testVehicle();
    definition.ecus[0]!.flash.compressionMethods.push({ id: 1, name: 'delta' });
    harness = await startHarness({ definition });
    const client = await unlocked('ecm');
    const region = harness.vehicle.ecu('ecm').definition.flash.regions[0]!;
    const { current, next } = images('ecm');
    const pkg = encodeDelta(current, next, { quality: 5 });
    await downloadAndCheck(client, region.address, pkg, 0x10, next);
    await client.ecuReset(0x01);
    expect(await client.readDataByIdentifier(0xf1a0)).toEqual(sha256(next));
  });

  it('a brotli stream is decompressed and written', async () => {
    harness = await startHarness();
    const client = await unlocked('ecm');
    const region = harness.vehicle.ecu('ecm').definition.flash.regions[0]!;
    const { next } = images('ecm');
    await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
    const stream = new Uint8Array(brotliCompressSync(next));
    await downloadAndCheck(client, region.address, stream, 0x20, next);
  });

  it('a corrupt stream or a method the ECU did not declare is refused', async () => {
    harness = await startHarness();
    const client = await unlocked('bcm');
    const region = harness.vehicle.ecu('bcm').definition.flash.regions[0]!;
    await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
    await client.requestDownload({ dataFormatIdentifier: 0x10, address: region.address, size: region.size });
    await client.transferData(1, new Uint8Array(100).fill(7));
    expect(await nrcOf(client.requestTransferExit())).toBe(0x72);
    const ecm = await unlocked('ecm');
    expect(await nrcOf(ecm.requestDownload({ dataFormatIdentifier: 0x10, address: 0x10000, size: 1024 }))).toBe(0x31);
  });
});
