// The gateway's links to one ECU with a record of what went through them (the request log a test asserts on),
// and one injected fault of the wire that an ECU cannot make: a TransferData response lost after the ECU wrote.
import type { EcuLink, FunctionalLink } from '../../../../vehicle-gateway/flash/ecu-link.ts';

export interface RecordedLinks {
  link: EcuLink;
  functional: FunctionalLink;
  /** Physical requests, e.g. `10 2`, `31 ff00`, `2E f15a`, `14` (TransferData is counted, not listed). */
  requests: string[];
  /** Functional requests: `28 <controlType> <communicationType>`, `85 <type>`. */
  functionalRequests: string[];
  /** TransferData requests sent, repeats included. */
  blocksSent: number;
}

/** Records `link` and `functional`; the response of TransferData number `loseResponseOfBlock` (1-based) is lost once. */
export function recordLinks(link: EcuLink, functional: FunctionalLink, loseResponseOfBlock?: number): RecordedLinks {
  const rec: RecordedLinks = { link, functional, requests: [], functionalRequests: [], blocksSent: 0 };
  const log = <T>(entry: string, run: () => Promise<T>): Promise<T> => {
    rec.requests.push(entry);
    return run();
  };
  let lost = false;
  rec.link = {
    authentication: link.authentication,
    readDataByIdentifier: (did) => log(`22 ${did.toString(16)}`, () => link.readDataByIdentifier(did)),
    writeDataByIdentifier: (did, data) => log(`2E ${did.toString(16)}`, () => link.writeDataByIdentifier(did, data)),
    diagnosticSessionControl: (session) => log(`10 ${session}`, () => link.diagnosticSessionControl(session)),
    requestSeed: (level) => log('27 11', () => link.requestSeed(level)),
    sendKey: (level, key) => log('27 12', () => link.sendKey(level, key)),
    startRoutine: (rid, option) => log(`31 ${rid.toString(16)}`, () => link.startRoutine(rid, option)),
    requestDownload: (r) => log(`34 ${r.dataFormatIdentifier}`, () => link.requestDownload(r)),
    transferData: async (bsc, data) => {
      rec.blocksSent++;
      const response = await link.transferData(bsc, data);
      if (rec.blocksSent === loseResponseOfBlock && !lost) {
        lost = true;
        throw new Error('no response to service 0x36 within 300 ms');
      }
      return response;
    },
    requestTransferExit: () => log('37', () => link.requestTransferExit()),
    ecuReset: (type) => log('11 01', () => link.ecuReset(type)),
    clearDiagnosticInformation: (group) => log('14', () => link.clearDiagnosticInformation(group)),
  };
  rec.functional = {
    communicationControl: async (ct, type) => {
      rec.functionalRequests.push(`28 ${ct} ${type}`);
      await functional.communicationControl(ct, type);
    },
    controlDtcSetting: async (type) => {
      rec.functionalRequests.push(`85 ${type}`);
      await functional.controlDtcSetting(type);
    },
  };
  return rec;
}
