// The gateway flashing one ECU of a simulated vehicle to a new version, with the requests recorded: the
// gateway's copy of the ECU's current image is the provisioned one, so delta and in-place plans can be made.
import type { FlashJob } from '../../../../vehicle-gateway/flash/flash-ecu.ts';
import { connectEcu } from '../../../../vehicle-gateway/can/ecu-connection.ts';
import { flashEcu } from '../../../../vehicle-gateway/flash/flash-ecu.ts';
import { readVersionAndHash } from '../../../../vehicle-gateway/flash/identification.ts';
import { recordLinks } from './recorded-links.ts';
import type { SimHarness } from './sim-vehicle.ts';

/** The flash job from the ECU's provisioned image to `version` (as after an earlier update the gateway made). */
export function simFlashJob(
  sim: SimHarness,
  name: string,
  version: string,
  extra: Partial<FlashJob> = {},
): FlashJob & { next: Uint8Array } {
  const ecu = sim.gatewayVehicle.ecus.find((e) => e.name === name)!;
  const initial = sim.definition.ecus.find((e) => e.name === name)!.simulation.softwareVersion;
  const { bytes: next, image } = sim.image(name, version);
  return {
    ecu,
    image,
    next,
    expected: { serialNumber: ecu.identification.serialNumber, hardwareId: ecu.identification.hardwareId },
    secret: sim.secret(name),
    fingerprint: Uint8Array.of(1),
    currentImage: sim.image(name, initial).bytes,
    ...extra,
  };
}

export async function flashSimEcu(sim: SimHarness, name: string, version: string, extra: Partial<FlashJob> = {}) {
  const job = simFlashJob(sim, name, version, extra);
  const conn = connectEcu(await sim.openTransport('vcan0'), job.ecu);
  const rec = recordLinks(conn.link, conn.functional);
  try {
    const outcome = await flashEcu(job, rec.link, rec.functional);
    const running = outcome.status === 'succeeded' ? await readVersionAndHash(conn.link) : null;
    return { outcome, requests: rec.requests, running, next: job.next };
  } finally {
    await conn.close();
  }
}
