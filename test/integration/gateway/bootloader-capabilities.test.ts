// F1A2 as ecu-sim answers it and as the gateway reads it: each capability its own bit, so a read-while-write
// dual-bank ECU is never taken for an in-place one and the reverse (both once claimed bit 0x02).
import { describe, expect, it } from 'vitest';
import { NegativeResponseError, NRC } from '@ota/uds';
import { bootloaderCapabilities } from '../../../ecu-sim/ecu/data-identifiers.ts';
import type { EcuDefinition } from '../../../ecu-sim/vehicle/schema.ts';
import { testVehicle } from '../../../ecu-sim/testing/test-vehicle.ts';
import type { EcuLink } from '../../../vehicle-gateway/flash/ecu-link.ts';
import { readBootloaderCapabilities } from '../../../vehicle-gateway/flash/identification.ts';

/** A link whose only answer is F1A2 as the simulated ECU gives it (0x31 when it has none). */
function linkTo(ecu: EcuDefinition): EcuLink {
  const readDataByIdentifier = async () => {
    const bits = bootloaderCapabilities(ecu);
    if (bits === null) throw new NegativeResponseError(0x22, NRC.requestOutOfRange);
    return bits;
  };
  return { readDataByIdentifier } as Partial<EcuLink> as EcuLink;
}

function ecu(banks: 'single' | 'dual', change: (e: EcuDefinition) => void): EcuDefinition {
  const e = structuredClone(testVehicle().ecus.find((x) => x.flash.banks === banks)!);
  change(e);
  return e;
}

/** F1A2 as the simulated ECU answers it, and what the gateway reads from that answer. */
async function f1a2(e: EcuDefinition) {
  return { answer: bootloaderCapabilities(e), read: await readBootloaderCapabilities(linkTo(e)) };
}

describe('F1A2 bootloader capabilities, ecu-sim to gateway', () => {
  it('a read-while-write dual-bank ECU: eraseOnWrite and backgroundErase, not inPlaceDelta', async () => {
    const rww = ecu('dual', (e) => Object.assign(e.simulation, { eraseOnWrite: true, backgroundErase: true }));
    expect(await f1a2(rww)).toEqual({
      answer: Uint8Array.of(0x03),
      read: { eraseOnWrite: true, backgroundErase: true, inPlaceDelta: false },
    });
  });

  it('a single-bank ECU declaring delta-in-place: inPlaceDelta alone (bit 0x04)', async () => {
    const single = ecu('single', (e) => e.flash.compressionMethods.push({ id: 3, name: 'delta-in-place' }));
    expect(await f1a2(single)).toEqual({
      answer: Uint8Array.of(0x04),
      read: { eraseOnWrite: false, backgroundErase: false, inPlaceDelta: true },
    });
  });

  it('an ECU with none answers 0x31 and the gateway reads no capabilities', async () => {
    expect(await f1a2(ecu('single', () => {}))).toEqual({
      answer: null,
      read: { eraseOnWrite: false, backgroundErase: false, inPlaceDelta: false },
    });
  });
});
