// `gateway flash`: engineer mode, one ECU, one image, from a vehicle file.
import { readFile } from 'node:fs/promises';
import type { OpenTransport } from '../can/buses.ts';
import { CanBuses } from '../can/buses.ts';
import { privateKeyFromHex, publicKeyFromHex, signRegion, verifyRegion } from '@ota/uds';
import { readAppInfo, type AppInfo } from '../flash/app-info.ts';
import { flashEcu, type FlashProgress } from '../flash/flash-ecu.ts';
import { fingerprint } from '../flash/fingerprint.ts';
import { imageForLayout, layoutSize, splitRegions, type FlashImage } from '../flash/image.ts';
import type { FlashOutcome } from '../flash/result.ts';
import type { TransferMode } from '../flash/transfer-plan.ts';
import { parseSecretHex, secretFromVehicleFile } from '../vehicle/engineer-secrets.ts';
import { findEcu, loadVehicleFile } from '../vehicle/load.ts';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';
import { CliError, connectOrExit } from './cli-error.ts';
import { parseSignatures } from './signature-file.ts';
import { loadTesterCredential } from '../vehicle/tester-credential.ts';
import type { TesterCredential } from '@ota/uds';

export interface FlashCommandOptions {
  vehicle: string;
  ecu: string;
  image: string;
  signature?: string;
  signKey?: string;
  can?: string;
  secret?: string;
  /** 0x29: the tester certificate and key (PEM), and the UDS CA certificate for the bidirectional exchange. */
  testerCert?: string;
  testerKey?: string;
  ecuCa?: string;
  /** The ECU's current image (regions back to back) for sector-differential or delta transfer. */
  base?: string;
  mode?: TransferMode;
  /** Dual-bank: leave the new bank unconfirmed (it falls back after a few resets). */
  confirm?: boolean;
  /** Beyond the ECU's P2/P2* (the UDS client's default when absent). */
  timingMarginMs?: number;
}

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

async function loadImage(
  ecu: PublicEcuDefinition,
  o: FlashCommandOptions,
): Promise<{ image: FlashImage; info: AppInfo | null }> {
  const bytes = await readInput(o.image, 'image');
  const size = layoutSize(ecu.flash);
  if (bytes.length !== size) {
    throw new CliError(
      `image ${o.image} is ${bytes.length} bytes; ECU ${ecu.name}'s flash regions hold ${size} bytes and an image fills them exactly`,
    );
  }
  const regionCount = ecu.flash.regions.length;
  let signatures: Uint8Array[];
  if (o.signature && o.signKey) throw new CliError('give --signature or --sign-key, not both');
  if (o.signature) {
    try {
      signatures = parseSignatures(await readInput(o.signature, 'signature file'), regionCount);
    } catch (err) {
      throw new CliError(`${o.signature}: ${(err as Error).message}`);
    }
  } else if (o.signKey) {
    let key;
    try {
      key = privateKeyFromHex((await readInput(o.signKey, 'signing key')).toString('latin1'));
    } catch (err) {
      throw new CliError(`${o.signKey}: ${(err as Error).message}`);
    }
    // The size was checked above, so the split always succeeds.
    signatures = (splitRegions(ecu.flash, bytes) ?? []).map((region) => signRegion(key, region));
  } else {
    throw new CliError('the ECU checks the image signature: give --signature FILE or --sign-key FILE');
  }
  const image = imageForLayout(ecu.flash, new Uint8Array(bytes), signatures);
  // Refuse before anything is erased what the ECU would refuse only after: a foreign signature, a foreign image.
  const key = publicKeyFromHex(ecu.codeSigningPublicKey);
  image.regions.forEach((r, i) => {
    if (!verifyRegion(key, r.data, r.signature)) {
      throw new CliError(
        `the signature of region ${i} does not verify with ${ecu.name}'s code-signing public key; the ECU would reject it`,
      );
    }
  });
  const info = readAppInfo(image.regions[0]?.data ?? new Uint8Array(0));
  if (info && info.hardwareId !== ecu.identification.hardwareId) {
    throw new CliError(
      `the image is built for hardware ${info.hardwareId}, ${ecu.name} is ${ecu.identification.hardwareId}`,
    );
  }
  return { image, info };
}

/** A certificate-only ECU needs no secret (an empty one is never sent). */
async function resolveSecret(o: FlashCommandOptions, ecu: PublicEcuDefinition): Promise<Uint8Array> {
  if (ecu.access === 'certificate' && !o.secret) return new Uint8Array(0);
  if (o.secret) {
    try {
      return parseSecretHex(o.secret, '--secret');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  const fromFile = await secretFromVehicleFile(o.vehicle, o.ecu);
  if (!fromFile) throw new CliError(`the vehicle file has no security secret for ${o.ecu}: give --secret HEX`);
  return fromFile;
}

function testerOption(o: FlashCommandOptions): { tester?: TesterCredential } {
  if (!o.testerCert && !o.testerKey) return {};
  if (!o.testerCert || !o.testerKey) throw new CliError('--tester-cert and --tester-key go together');
  try {
    const files = { certificateFile: o.testerCert, keyFile: o.testerKey };
    return { tester: loadTesterCredential(o.ecuCa ? { ...files, ecuTrustAnchorFile: o.ecuCa } : files) };
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export async function runFlashCommand(
  o: FlashCommandOptions,
  openTransport: OpenTransport,
  onProgress?: (p: FlashProgress) => void,
): Promise<FlashOutcome> {
  let vehicle;
  let ecu;
  try {
    vehicle = await loadVehicleFile(o.vehicle);
    ecu = findEcu(vehicle, o.ecu);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const { image, info } = await loadImage(ecu, o);
  const secret = await resolveSecret(o, ecu);
  const currentImage = o.base ? new Uint8Array(await readInput(o.base, 'base image')) : null;
  const buses = new CanBuses(openTransport, o.can ?? null, { timingMarginMs: o.timingMarginMs });
  try {
    const connection = await connectOrExit(buses, ecu, o.can);
    try {
      return await flashEcu(
        {
          ecu,
          image,
          expected: {
            serialNumber: ecu.identification.serialNumber,
            hardwareId: ecu.identification.hardwareId,
            vin: vehicle.vin,
            ...(info ? { version: info.softwareVersion } : {}),
          },
          secret,
          ...testerOption(o),
          fingerprint: fingerprint('gateway-cli', 'engineer'),
          currentImage,
          mode: o.mode ?? 'auto',
          confirmDualBank: o.confirm ?? true,
        },
        connection.link,
        connection.functional,
        onProgress ? { onProgress } : {},
      );
    } finally {
      await connection.close();
    }
  } finally {
    await buses.closeAll();
  }
}

export function formatFlashOutcome(outcome: FlashOutcome): string {
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const kib = (outcome.bytesSent / 1024).toFixed(1);
  if (outcome.status === 'succeeded') {
    const bank = outcome.activeBank ? `, bank ${outcome.activeBank}` : '';
    return [
      `${outcome.ecu}: flashed ${outcome.fromVersion ?? '?'} -> ${outcome.toVersion}${bank}`,
      `  image sha256 ${outcome.toSha256}`,
      `  ${kib} KiB TransferData in ${seconds} s (${outcome.methods.join(', ')})`,
    ].join('\n');
  }
  return [
    `${outcome.ecu}: FAILED at ${outcome.step}${outcome.nrcName ? ` with ${outcome.nrcName} (0x${(outcome.nrc ?? 0).toString(16).padStart(2, '0')})` : ''}`,
    `  ${outcome.error}`,
    `  ${outcome.memoryTouched ? 'the ECU memory was modified: it stays in its bootloader until reprogrammed' : 'the ECU memory was not modified'}`,
    `  ${kib} KiB TransferData in ${seconds} s`,
  ].join('\n');
}
