// Client-side failures other than negative responses (those are NegativeResponseError from ../nrc.ts).

export class UdsTimeoutError extends Error {
  override readonly name = 'UdsTimeoutError';
  constructor(
    readonly sid: number,
    readonly timeoutMs: number,
    readonly afterResponsePending: boolean,
  ) {
    super(
      `no response to service 0x${sid.toString(16).toUpperCase().padStart(2, '0')} within ${timeoutMs} ms` +
        (afterResponsePending ? ' (P2* after responsePending)' : ' (P2)'),
    );
  }
}

export class UdsClientClosedError extends Error {
  override readonly name = 'UdsClientClosedError';
}
