// Exit codes of the gateway CLI, and the error that carries one.
export const EXIT = {
  ok: 0,
  /** The ECU was reached but flashing (or the update) failed. */
  flashFailed: 1,
  /** Bad arguments or input files; nothing was sent to an ECU. */
  usage: 2,
  /** The CAN interface could not be opened or the ECU did not answer. */
  unreachable: 3,
} as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
