// What flashing one ECU produced: the per-ECU record campaigns.md asks for (from/to version, result, NRC,
// bytes on the bus, duration).
import { NegativeResponseError } from '@ota/uds';

export const FLASH_STEPS = [
  'identify',
  'extendedSession',
  'backgroundErase',
  'preconditions',
  'disableCommunication',
  'programmingSession',
  'securityAccess',
  'authentication',
  'fingerprint',
  'erase',
  'copy',
  'download',
  'transferExit',
  'checkMemory',
  'checkDependencies',
  'reset',
  'verify',
  'confirmBank',
  'restoreCommunication',
  'clearDtcs',
] as const;
export type FlashStep = (typeof FLASH_STEPS)[number];

export type RegionMethod = 'full' | 'compressed' | 'delta' | 'in-place' | 'sector-diff';

interface FlashOutcomeBase {
  ecu: string;
  /** F189 and F1A0 read before programming (null when the ECU could not be read). */
  fromVersion: string | null;
  fromSha256: string | null;
  /** TransferData request bytes (SID, counter and data) sent to the ECU. */
  bytesSent: number;
  durationMs: number;
}

export interface FlashSucceeded extends FlashOutcomeBase {
  status: 'succeeded';
  toVersion: string;
  toSha256: string;
  methods: RegionMethod[];
  /** 'A'/'B' for dual-bank ECUs (F1A1), null for single-bank ones. */
  activeBank: 'A' | 'B' | null;
}

export interface FlashFailed extends FlashOutcomeBase {
  status: 'failed';
  step: FlashStep;
  error: string;
  nrc: number | null;
  nrcName: string | null;
  /** True once an erase was requested: the ECU's memory may no longer hold its previous image. */
  memoryTouched: boolean;
}

export type FlashOutcome = FlashSucceeded | FlashFailed;

/** A failed step, carrying the NRC when the ECU answered negatively. */
export class FlashStepError extends Error {
  override readonly name = 'FlashStepError';
  readonly nrc: number | null;
  readonly nrcName: string | null;

  constructor(
    readonly step: FlashStep,
    message: string,
    cause?: unknown,
  ) {
    const nre = cause instanceof NegativeResponseError ? cause : null;
    super(nre ? `${message}: ${nre.nrcName} (0x${nre.nrc.toString(16).padStart(2, '0')})` : message, { cause });
    this.nrc = nre?.nrc ?? null;
    this.nrcName = nre?.nrcName ?? null;
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
