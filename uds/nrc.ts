// Negative response codes of ISO 14229-1 (Annex A.1), with the standard's names.

import { NRC, nrcHex as hex, nrcName } from '@ota/protocol/uds-nrc';
import type { NrcName } from '@ota/protocol/uds-nrc';

export { NRC, nrcName, type NrcName };

/** Thrown by the client when the server answers 0x7F; thrown by server handlers to answer one. */
export class NegativeResponseError extends Error {
  override readonly name = 'NegativeResponseError';
  readonly nrcName: string;

  constructor(
    readonly sid: number,
    readonly nrc: number,
    message?: string,
  ) {
    super(message ?? `service 0x${hex(sid)} answered negatively: ${nrcName(nrc)} (0x${hex(nrc)})`);
    this.nrcName = nrcName(nrc);
  }
}

/** What a server handler throws to answer with an NRC (the SID is filled in by the server). */
export class NegativeResponse extends Error {
  override readonly name = 'NegativeResponse';
  constructor(
    readonly nrc: number,
    message?: string,
  ) {
    super(message ?? `negative response ${nrcName(nrc)} (0x${hex(nrc)})`);
  }
}
