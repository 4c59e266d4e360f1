// The flash job of a delta update of one simulated ECU from its provisioned image to `version`, the gateway
// knowing the current image (as after an earlier update it made), the dual-bank result confirmed at once.
import type { FlashJob } from '../../../../vehicle-gateway/flash/flash-ecu.ts';
import type { SimHarness } from './sim-vehicle.ts';

export function deltaJob(sim: SimHarness, name: string, version: string): FlashJob & { next: Uint8Array } {
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
    confirmDualBank: true,
  };
}
