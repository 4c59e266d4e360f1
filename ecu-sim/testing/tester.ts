// The tester side for tests: a UdsClient addressed to one ECU of a definition, and the complete programming
// sequence of flash-protocol.md (steps 2-13) as a standard tester drives it.
import {
  type CanTransport,
  DiagnosticSession,
  encodeMemoryRange,
  IsoTpEndpoint,
  type IsoTpOptions,
  normalFixedId,
  normalFixedPhysicalIds,
  privateKeyFromHex,
  RoutineId,
  signRegion,
  UdsClient,
} from '@ota/uds';
import type { EcuDefinition } from '../vehicle/schema.ts';

export interface Tester {
  client: UdsClient;
  close(): Promise<void>;
}

function testerEndpointOptions(ecu: EcuDefinition): { physical: IsoTpOptions; functional: IsoTpOptions } {
  const frames = { fd: ecu.can.fd, padding: 0xcc };
  const a = ecu.addressing;
  if (a.mode === 'normal11') {
    return {
      physical: { txId: a.requestId, rxId: a.responseId, ...frames },
      functional: { txId: a.functionalId, rxId: null, functional: true, ...frames },
    };
  }
  return {
    physical: { ...normalFixedPhysicalIds(a.testerAddress, a.ecuAddress), ...frames },
    functional: {
      txId: normalFixedId('functional', a.functionalAddress, a.testerAddress),
      rxId: null,
      extended29: true,
      functional: true,
      ...frames,
    },
  };
}

/** N_Bs of ISO 15765-2 (the endpoint's default). */
const ISO_N_BS_MS = 1000;

export function openTester(transport: CanTransport, ecu: EcuDefinition, timingMarginMs = 250): Tester {
  const options = testerEndpointOptions(ecu);
  // The ECU's flow control (every BS frames) may come late on a loaded host, as its answers may: same margin.
  const physical = new IsoTpEndpoint(transport, { ...options.physical, nBsMs: ISO_N_BS_MS + timingMarginMs });
  const functional = new IsoTpEndpoint(transport, options.functional);
  const client = new UdsClient(physical, { functional, timingMarginMs });
  return {
    client,
    async close() {
      await client.close();
      await physical.close();
      await functional.close();
    },
  };
}

export function signImage(privateKeyHex: string, regionContent: Uint8Array): Uint8Array {
  return signRegion(privateKeyFromHex(privateKeyHex), regionContent);
}

/**
 * Steps 6-7 of flash-protocol.md by hand, for tests that drive TransferData themselves: erases the region,
 * opens a download of `size` bytes at its start and returns how many data bytes one block may carry
 * (the ECU's maxNumberOfBlockLength less the service id and the block sequence counter).
 */
export async function eraseAndOpenDownload(
  client: UdsClient,
  region: { address: number; size: number },
  size = region.size,
): Promise<number> {
  await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
  const { maxNumberOfBlockLength } = await client.requestDownload({
    dataFormatIdentifier: 0,
    address: region.address,
    size,
  });
  return maxNumberOfBlockLength - 2;
}

export interface FlashResult {
  checkMemory: number;
  dependencies: number;
}

/** Steps 2-12 for a one-region image (which must fill the region); the caller resets (step 13). */
export async function programRegion(
  client: UdsClient,
  ecu: EcuDefinition,
  image: Uint8Array,
  signature: Uint8Array,
  secret = Buffer.from(ecu.simulation.securitySecret, 'hex'),
): Promise<FlashResult> {
  const region = ecu.flash.regions[0];
  if (!region) throw new Error('no region');
  await client.diagnosticSessionControl(DiagnosticSession.extended);
  const preconditions = await client.startRoutine(RoutineId.checkProgrammingPreconditions);
  if (preconditions?.[0] !== 0x00)
    throw new Error(`preconditions not met: ${Buffer.from(preconditions ?? []).toString('hex')}`);
  await client.controlDtcSetting(0x02, { functional: true, suppressPositiveResponse: true });
  await client.communicationControl(0x03, 0x01, { functional: true, suppressPositiveResponse: true });
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, secret);
  await client.writeDataByIdentifier(0xf15a, new Uint8Array(Buffer.from('TESTER01/2026-01-01/CAMPAIGN-1')));
  await client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
  await client.download({ address: region.address, data: image });
  const check = await client.startRoutine(RoutineId.checkMemory, signature);
  const deps = await client.startRoutine(RoutineId.checkProgrammingDependencies);
  return { checkMemory: check?.[0] ?? -1, dependencies: deps?.[0] ?? -1 };
}

/** The whole sequence including the reset and the functional restore of communication. */
export async function flashEcu(
  client: UdsClient,
  ecu: EcuDefinition,
  image: Uint8Array,
  signature: Uint8Array,
): Promise<FlashResult> {
  const result = await programRegion(client, ecu, image, signature);
  await client.ecuReset(0x01);
  await client.communicationControl(0x00, 0x01, { functional: true, suppressPositiveResponse: true });
  await client.controlDtcSetting(0x01, { functional: true, suppressPositiveResponse: true });
  await client.clearDiagnosticInformation();
  return result;
}
