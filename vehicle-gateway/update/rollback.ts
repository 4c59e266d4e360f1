// Puts one ECU back on the image it ran before the update (flash-protocol.md "Rollback"). Idempotent: an ECU
// that already runs its previous image is left alone, so a restarted gateway can simply run it again.
import { switchToPreviousBank } from '../flash/bank-control.ts';
import type { TesterCredential } from '@ota/uds';
import type { EcuLink, FunctionalLink } from '../flash/ecu-link.ts';
import { flashEcu, type FlashHooks } from '../flash/flash-ecu.ts';
import { imageForLayout } from '../flash/image.ts';
import { waitForEcu } from '../flash/reset.ts';
import type { ImageStore } from '../journal/image-store.ts';
import type { EcuTarget } from '../journal/update-record.ts';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';

export class RollbackError extends Error {
  override readonly name = 'RollbackError';
}

export interface RollbackContext {
  ecu: PublicEcuDefinition;
  target: EcuTarget;
  link: EcuLink;
  functional: FunctionalLink;
  secret: Uint8Array;
  tester?: TesterCredential;
  images: ImageStore;
  fingerprint: Uint8Array;
  hooks?: FlashHooks;
}

export async function rollbackEcu(c: RollbackContext): Promise<void> {
  const now = await waitForEcu(c.link, { attempts: 10 });
  if (now.sha256 === c.target.fromSha256) return;
  if (c.ecu.flash.banks === 'dual') {
    await switchToPreviousBank(c.link, c);
  } else {
    const previous = c.images.get(c.target.fromSha256);
    if (!previous) throw new RollbackError(`no kept copy of ${c.ecu.name}'s previous image ${c.target.fromSha256}`);
    const outcome = await flashEcu(
      {
        ecu: c.ecu,
        image: imageForLayout(c.ecu.flash, previous.bytes, previous.signatures),
        expected: { serialNumber: c.target.serialNumber, hardwareId: c.target.hardwareId, version: previous.version },
        secret: c.secret,
        ...(c.tester ? { tester: c.tester } : {}),
        fingerprint: c.fingerprint,
        mode: 'full',
      },
      c.link,
      c.functional,
      c.hooks,
    );
    if (outcome.status === 'failed') {
      throw new RollbackError(`reprogramming the previous image failed at ${outcome.step}: ${outcome.error}`);
    }
  }
  const after = await waitForEcu(c.link);
  if (after.sha256 !== c.target.fromSha256) {
    throw new RollbackError(
      `after the rollback ${c.ecu.name} runs ${after.sha256}, not its previous image ${c.target.fromSha256}`,
    );
  }
}
