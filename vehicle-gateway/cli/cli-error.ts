// Exit codes of the gateway CLI, the error that carries one, and the CAN connection step that maps to one.
import type { CanBuses } from '../can/buses.ts';
import type { EcuConnection } from '../can/ecu-connection.ts';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';
export const EXIT = {
  ok: 0,
  /** The ECU was reached but flashing (or the update) failed. */
  flashFailed: 1,
  /** Bad arguments or input files; nothing was sent to an ECU. */
  usage: 2,
  /** The CAN interface could not be opened or the ECU did not answer (inventory: no ECU answered). */
  unreachable: 3,
  /** inventory: some values were read, others not (a DID refused with an NRC, or an ECU that did not answer). */
  partial: 4,
} as const;

/** The exit codes as --help and the README list them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done (inventory: every ECU read completely)
  1  the ECU refused or failed (the summary names the step and the NRC)
  2  bad arguments or input files (nothing was sent)
  3  CAN interface or ECU unreachable (inventory: no ECU answered at all)
  4  inventory only: partial result; what was read is printed, each missing identifier with its NRC`;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

/** Connects to `ecu`; a CAN interface that cannot be opened is the "unreachable" exit. */
export async function connectOrExit(
  buses: CanBuses,
  ecu: PublicEcuDefinition,
  interfaceOverride: string | undefined,
): Promise<EcuConnection> {
  try {
    return await buses.connect(ecu);
  } catch (err) {
    throw new CliError(
      `cannot open CAN interface ${interfaceOverride ?? ecu.can.interface}: ${(err as Error).message}`,
      EXIT.unreachable,
    );
  }
}
