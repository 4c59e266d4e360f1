// Opens the UDS connection to one ECU as its vehicle definition describes it: ISO-TP over the given CAN
// transport with the ECU's addressing (11-bit normal or 29-bit normal fixed), a functional endpoint for the
// bus-wide requests, and the EcuLink/FunctionalLink the flash engine drives.
import type { CanTransport } from '@ota/uds';
import { UdsClient, IsoTpEndpoint, normalFixedId } from '@ota/uds';
import type { EcuLink, FunctionalLink } from '../flash/ecu-link.ts';
import { ecuLinkOver, functionalLinkOver } from '../flash/uds-link.ts';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';

export interface EcuConnection {
  ecu: PublicEcuDefinition;
  client: UdsClient;
  link: EcuLink;
  functional: FunctionalLink;
  close(): Promise<void>;
}

function ids(ecu: PublicEcuDefinition): { txId: number; rxId: number; functionalId: number; extended29: boolean } {
  const a = ecu.addressing;
  if (a.mode === 'normal11')
    return { txId: a.requestId, rxId: a.responseId, functionalId: a.functionalId, extended29: false };
  return {
    txId: normalFixedId('physical', a.ecuAddress, a.testerAddress),
    rxId: normalFixedId('physical', a.testerAddress, a.ecuAddress),
    functionalId: normalFixedId('functional', a.functionalAddress, a.testerAddress),
    extended29: true,
  };
}

/** Added to the ECU's P2/P2* for transport and scheduling delays (UdsClient's default 250 ms when absent). */
export interface EcuClientOptions {
  timingMarginMs?: number;
}

export function connectEcu(
  transport: CanTransport,
  ecu: PublicEcuDefinition,
  options: EcuClientOptions = {},
): EcuConnection {
  const { txId, rxId, functionalId, extended29 } = ids(ecu);
  const fd = ecu.can.fd;
  const physical = new IsoTpEndpoint(transport, { txId, rxId, extended29, fd });
  // Functional requests are single frames; an FD single frame is still one frame, so keep classical 8 bytes.
  const functionalEndpoint = new IsoTpEndpoint(transport, {
    txId: functionalId,
    rxId: null,
    extended29,
    functional: true,
  });
  const client = new UdsClient(physical, { functional: functionalEndpoint, timingMarginMs: options.timingMarginMs });
  return {
    ecu,
    client,
    link: ecuLinkOver(client),
    functional: functionalLinkOver(client),
    close: async () => {
      await client.close();
      await physical.close();
      await functionalEndpoint.close();
    },
  };
}
