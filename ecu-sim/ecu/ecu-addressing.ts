// ISO-TP endpoint options of an ECU (the server side) from the addressing in its definition.
import { normalFixedId, normalFixedPhysicalIds, type IsoTpOptions } from '@ota/uds';
import type { EcuDefinition } from '../vehicle/schema.ts';

export interface EcuEndpointOptions {
  physical: IsoTpOptions;
  functional: IsoTpOptions;
}

export function ecuEndpointOptions(ecu: EcuDefinition): EcuEndpointOptions {
  const frames = { fd: ecu.can.fd, padding: 0xcc };
  const flow = { blockSize: ecu.simulation.blockSize, stMin: ecu.simulation.stMin };
  const a = ecu.addressing;
  if (a.mode === 'normal11') {
    return {
      physical: { txId: a.responseId, rxId: a.requestId, ...frames, ...flow },
      functional: { txId: null, rxId: a.functionalId, functional: true, ...frames },
    };
  }
  return {
    physical: { ...normalFixedPhysicalIds(a.ecuAddress, a.testerAddress), ...frames, ...flow },
    functional: {
      txId: null,
      rxId: normalFixedId('functional', a.functionalAddress, a.testerAddress),
      extended29: true,
      functional: true,
      ...frames,
    },
  };
}

/** Human form for logs: "vcan0 0x7E0->0x7E8". */
export function describeAddressing(ecu: EcuDefinition): string {
  const o = ecuEndpointOptions(ecu).physical;
  const hex = (n: number | null): string => `0x${(n ?? 0).toString(16).toUpperCase()}`;
  return `${ecu.can.interface}${ecu.can.fd ? ' (CAN FD)' : ''} requests ${hex(o.rxId)} responses ${hex(o.txId)}`;
}
