// An update target as a provisioned gateway holds it: the ECU's current image and the new one, both signed, in
// its image store, and the EcuTarget that names them (for update tests and the gateway-flash benchmark).
import type { EcuDefinition } from '../../../../ecu-sim/vehicle/schema.ts';
import { sha256Hex } from '../../../../vehicle-gateway/flash/image.ts';
import type { ImageStore } from '../../../../vehicle-gateway/journal/image-store.ts';
import type { EcuTarget } from '../../../../vehicle-gateway/journal/update-record.ts';

export interface SignedImage {
  version: string;
  bytes: Uint8Array;
  /** One code signature per flash region. */
  signatures: readonly Uint8Array[];
}

/** Stores `from` (what the ECU runs) and `to` and returns the target of an update from one to the other. */
export function stageTarget(images: ImageStore, ecu: EcuDefinition, from: SignedImage, to: SignedImage): EcuTarget {
  const hardwareId = ecu.identification.hardwareId;
  for (const image of [from, to]) {
    images.put(image.bytes, { version: image.version, hardwareId, signatures: image.signatures });
  }
  return {
    ecu: ecu.name,
    serialNumber: ecu.identification.serialNumber,
    hardwareId,
    fromVersion: from.version,
    fromSha256: sha256Hex(from.bytes),
    toVersion: to.version,
    toSha256: sha256Hex(to.bytes),
    dependsOn: [],
  };
}
