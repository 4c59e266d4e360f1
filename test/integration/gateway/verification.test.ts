import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareUpdate, PrepareError } from '../../../vehicle-gateway/connected/prepare-update.ts';
import { startUpdate } from '../../../vehicle-gateway/update/run-update.ts';
import { buildCampaign, NOW, type Campaign, type CampaignOptions } from './support/campaign-repos.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';
import { gatewaySide, type GatewaySide } from './support/update-env.ts';

/** The ECU-side delta cache's entries with their modification times. */
function cacheListing(dir: string): [string, number][] {
  return readdirSync(dir)
    .sort()
    .map((f) => [f, statSync(join(dir, f)).mtimeMs]);
}

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

const NEW = { ecm: '2.4.2', bcm: '1.8.0', adas: '5.1.0' };

async function setup(options: CampaignOptions = {}, keepCurrentImages = true) {
  sim = await startSimVehicle();
  const gw = await gatewaySide(sim);
  // A provisioned gateway keeps its ECUs' current images (delta bases, single-bank rollback).
  if (keepCurrentImages)
    gw.targets(Object.fromEntries(sim.definition.ecus.map((e) => [e.name, e.simulation.softwareVersion])));
  const campaign = buildCampaign(sim, NEW, options);
  const fetched: string[] = [];
  const prepare = async (c: Campaign = campaign, now = NOW) =>
    prepareUpdate({
      vehicle: sim!.gatewayVehicle,
      inventory: await gw.inventory(),
      metadata: c.metadata,
      trusted: c.trusted,
      now,
      images: gw.images,
      fetchBlob: async (sha256) => {
        fetched.push(sha256);
        const blob = c.blobs.get(sha256);
        if (!blob) throw new Error(`no blob ${sha256}`);
        return blob;
      },
    });
  return { gw, campaign, prepare, fetched };
}

/** Expects preparation to fail with `code` and the ECUs to be exactly as they were (nothing was sent to them). */
async function expectRefused(gw: GatewaySide, run: Promise<unknown>, code: string) {
  const before = JSON.stringify(sim!.vehicle.ecus.map((e) => e.status()));
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PrepareError);
  expect((err as PrepareError).code).toBe(code);
  expect(JSON.stringify(sim!.vehicle.ecus.map((e) => e.status()))).toBe(before);
  expect(gw.images.has('00'.repeat(32))).toBe(false);
}

describe('connected mode: verification before any ECU is touched', () => {
  it('verifies, rebuilds every image from its delta and installs it', async () => {
    const { gw, prepare, campaign } = await setup();
    const prepared = await prepare();
    expect(prepared.campaignId).toBe(campaign.campaignId);
    expect(prepared.request.targets.map((t) => [t.ecu, t.toVersion])).toEqual([
      ['ecm', '2.4.2'],
      ['bcm', '1.8.0'],
      ['adas', '5.1.0'],
    ]);
    // The ECU-side deltas of the two delta-capable ECUs (bcm, adas: one region each) were encoded now.
    const cacheDir = join(gw.images.dir, '..', 'ecu-deltas');
    const prepared1 = cacheListing(cacheDir);
    expect(prepared1).toHaveLength(2);
    const env = gw.env();
    const record = await startUpdate(prepared.request, env);
    await env.close();
    expect(record.report?.result).toBe('succeeded');
    expect(Object.values(record.ecus).flatMap((e) => e.attempt?.methods ?? [])).toContain('delta');
    // Flashing found them: a miss would have re-encoded and rewritten the entry.
    expect(cacheListing(cacheDir)).toEqual(prepared1);
  });

  it('downloads the full image (and the current single-bank image) when it keeps no delta base', async () => {
    const { prepare, fetched, campaign, gw } = await setup({}, false);
    const prepared = await prepare();
    // Three full images plus ecm's current image for a possible rollback; no delta package.
    expect(fetched).toHaveLength(4);
    for (const sha of fetched) expect(campaign.blobs.get(sha)!.length).toBe(32 * 1024);
    expect(gw.images.has(prepared.request.targets[0]!.fromSha256)).toBe(true);
  });

  it('refuses a tampered Director targets file (hash mismatch against the snapshot)', async () => {
    const { gw, prepare, campaign } = await setup();
    const targets = JSON.parse(campaign.metadata.director.targets);
    targets.signed.expires = '2030-01-01T00:00:00Z';
    const tampered = {
      ...campaign,
      metadata: { ...campaign.metadata, director: { ...campaign.metadata.director, targets: JSON.stringify(targets) } },
    };
    await expectRefused(gw, prepare(tampered), 'hash_mismatch');
  });

  it('refuses a tampered Director targets file even in a consistent snapshot (bad signature)', async () => {
    const { chainOver, testRepository } = await import('@ota/protocol/testing');
    const { gw, prepare, campaign } = await setup();
    const targets = JSON.parse(campaign.metadata.director.targets);
    const first = Object.values(targets.signed.targets)[0] as { custom: { vin: string } };
    first.custom.vin = 'WVSAMPLE000000009';
    const bytes = new TextEncoder().encode(JSON.stringify(targets));
    const chain = chainOver(testRepository('director'), bytes);
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    const director = { roots: [], targets: dec(bytes), snapshot: dec(chain.snapshot), timestamp: dec(chain.timestamp) };
    await expectRefused(gw, prepare({ ...campaign, metadata: { ...campaign.metadata, director } }), 'bad_signature');
  });

  it('refuses metadata signed by a key the root does not name', async () => {
    const { testSigner } = await import('@ota/protocol/testing');
    const { gw, prepare } = await setup({ director: { signers: { targets: [testSigner('attacker')] } } });
    await expectRefused(gw, prepare(), 'threshold_not_met');
  });

  it('refuses expired metadata (freeze attack)', async () => {
    const { gw, prepare } = await setup({ director: { expires: { timestamp: new Date('2026-02-01T00:00:00Z') } } });
    await expectRefused(gw, prepare(), 'expired');
  });

  it('refuses older metadata than it trusts (rollback / replay)', async () => {
    const { gw, prepare } = await setup({ trustedDirectorVersion: 5 });
    await expectRefused(gw, prepare(), 'rollback');
  });

  it('refuses an update for another VIN', async () => {
    const { gw, prepare } = await setup({ vin: 'WVSAMPLE000000002' });
    await expectRefused(gw, prepare(), 'wrong_vin');
  });

  it('refuses a Director target the Image repository never released', async () => {
    const { gw, prepare } = await setup({ unreleased: 'bcm' });
    await expectRefused(gw, prepare(), 'unknown_target');
  });

  it('refuses a delta that rebuilds another image than the signed one', async () => {
    const { gw, prepare } = await setup({ corruptDeltaFor: 'adas' });
    await expectRefused(gw, prepare(), 'image_hash_mismatch');
  });

  it('refuses a signed image or delta length above what the ECU flash holds, before any download', async () => {
    const hugeImage = await setup({ signedLength: { ecu: 'adas', image: 2 ** 40 } });
    const refusal = hugeImage.prepare();
    await expectRefused(hugeImage.gw, refusal, 'too_large');
    expect(((await refusal.catch((e: unknown) => e)) as Error).message).toMatch(
      /adas: the image is 1099511627776 bytes, above the limit of \d+ bytes/,
    );
    expect(hugeImage.fetched).toEqual([]);
    await sim!.stop();

    sim = null;
    const hugeDelta = await setup({ signedLength: { ecu: 'bcm', delta: 2 ** 40 } });
    const deltaRefusal = hugeDelta.prepare();
    await expectRefused(hugeDelta.gw, deltaRefusal, 'too_large');
    expect(((await deltaRefusal.catch((e: unknown) => e)) as Error).message).toMatch(
      /bcm: the delta package is 1099511627776 bytes/,
    );
    expect(hugeDelta.fetched).toEqual([]);
  });
});
