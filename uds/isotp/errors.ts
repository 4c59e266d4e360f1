// Typed ISO-TP errors (ISO 15765-2 N_Result values where one applies), so callers can tell timeouts from
// protocol violations without parsing messages.

export class IsoTpError extends Error {
  // Each subclass is named after itself, so `err.name` tells the N_Result apart in logs.
  override name: string = this.constructor.name;
}

export type IsoTpTimer = 'N_As' | 'N_Ar' | 'N_Bs' | 'N_Cr';

/** N_TIMEOUT_A / N_TIMEOUT_Bs / N_TIMEOUT_Cr. */
export class IsoTpTimeoutError extends IsoTpError {
  constructor(
    readonly timer: IsoTpTimer,
    readonly timeoutMs: number,
    detail: string,
  ) {
    super(`ISO-TP ${timer} timeout after ${timeoutMs} ms: ${detail}`);
  }
}

/** N_WRONG_SN: a consecutive frame with an unexpected sequence number; the reception was abandoned. */
export class IsoTpSequenceError extends IsoTpError {
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`ISO-TP consecutive frame sequence number ${received}, expected ${expected}; reception abandoned`);
  }
}

/** N_UNEXP_PDU: a single or first frame arrived while a reception was in progress; that reception was abandoned. */
export class IsoTpUnexpectedFrameError extends IsoTpError {}

/** A frame that is not valid ISO-TP (bad PCI, bad length, bad flow status); it was ignored. */
export class IsoTpInvalidFrameError extends IsoTpError {}

/** N_BUFFER_OVFLW: the receiver answered FC.OVFLW (the message is too long for it). */
export class IsoTpOverflowError extends IsoTpError {}

/** N_WFT_OVRN: the receiver sent more FC.WAIT frames than N_WFTmax. */
export class IsoTpWaitLimitError extends IsoTpError {}

/** The message cannot be sent this way (empty, too long, or multi-frame on a functional address). */
export class IsoTpMessageLengthError extends IsoTpError {}

export class IsoTpClosedError extends IsoTpError {}

export class IsoTpConfigError extends IsoTpError {}
