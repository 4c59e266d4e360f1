// RequestDownload (0x34), TransferData (0x36), RequestTransferExit (0x37): programming session, level 0x11.
import {
  decodeRequestDownloadRequest,
  decodeTransferDataRequest,
  DiagnosticSession,
  encodeRequestDownloadResponse,
  encodeRequestTransferExitResponse,
  encodeTransferDataResponse,
  PROGRAMMING_SECURITY_LEVEL,
  type ServiceDefinition,
  SID,
} from '@ota/uds';
import type { EcuContext } from '../ecu-context.ts';

const guarded = { sessions: [DiagnosticSession.programming], securityLevels: [PROGRAMMING_SECURITY_LEVEL] };

export function dataTransferServices(ecu: EcuContext): ServiceDefinition[] {
  return [
    {
      sid: SID.RequestDownload,
      ...guarded,
      minLength: 5,
      handler: (request) => {
        const r = decodeRequestDownloadRequest(request);
        const max = ecu.programming.requestDownload(r, r.dataFormatIdentifier);
        return encodeRequestDownloadResponse(max);
      },
    },
    {
      sid: SID.TransferData,
      ...guarded,
      minLength: 2,
      handler: async (request) => {
        const { blockSequenceCounter, data } = decodeTransferDataRequest(request);
        await ecu.programming.transferData(blockSequenceCounter, data);
        return encodeTransferDataResponse(blockSequenceCounter);
      },
    },
    {
      sid: SID.RequestTransferExit,
      ...guarded,
      handler: async () => {
        await ecu.programming.transferExit();
        return encodeRequestTransferExitResponse();
      },
    },
  ];
}
