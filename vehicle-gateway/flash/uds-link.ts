// EcuLink and FunctionalLink over the project's UdsClient (uds/): the gateway's real connection to an ECU.
import type { UdsClient } from '@ota/uds';
import type { DownloadRequest, EcuLink, FunctionalLink } from './ecu-link.ts';

export function ecuLinkOver(client: UdsClient): EcuLink {
  return {
    readDataByIdentifier: (did) => client.readDataByIdentifier(did),
    writeDataByIdentifier: (did, data) => client.writeDataByIdentifier(did, data),
    diagnosticSessionControl: async (session) => {
      await client.diagnosticSessionControl(session);
    },
    requestSeed: (level) => client.requestSeed(level),
    sendKey: (level, key) => client.sendKey(level, key),
    authentication: (request) => client.authentication(request),
    startRoutine: async (routineId, option) => (await client.startRoutine(routineId, option)) ?? new Uint8Array(0),
    requestDownload: async (r: DownloadRequest) => (await client.requestDownload(r)).maxNumberOfBlockLength,
    transferData: (bsc, data) => client.transferData(bsc, data),
    requestTransferExit: async () => {
      await client.requestTransferExit();
    },
    ecuReset: async (type) => {
      await client.ecuReset(type);
    },
    clearDiagnosticInformation: (group) => client.clearDiagnosticInformation(group),
  };
}

/** Functional requests with the suppressPosRspMsgIndicationBit (the client needs a functional endpoint). */
export function functionalLinkOver(client: UdsClient): FunctionalLink {
  const opts = { functional: true, suppressPositiveResponse: true };
  return {
    communicationControl: async (controlType, communicationType) => {
      await client.communicationControl(controlType, communicationType, opts);
    },
    controlDtcSetting: async (type) => {
      await client.controlDtcSetting(type, opts);
    },
  };
}
