// The persistent metadata of one ECU (state.json beside its bank files): everything a real ECU keeps in its
// non-volatile memory besides the flash content itself.
import { z } from 'zod';

export const BANK_NAMES = ['A', 'B'] as const;
export type BankName = (typeof BANK_NAMES)[number];

export function otherBank(bank: BankName): BankName {
  return bank === 'A' ? 'B' : 'A';
}

const signatureHex = z.string().regex(/^[0-9a-f]{128}$/);

export const dtcSchema = z.strictObject({
  code: z.number().int().min(0).max(0xffffff),
  status: z.number().int().min(0).max(0xff),
});
export type StoredDtc = z.infer<typeof dtcSchema>;

export const ecuStateSchema = z.strictObject({
  format: z.literal(1),
  activeBank: z.enum(BANK_NAMES),
  /** Per bank and region: the signature checkMemory accepted for the current content, null when none. */
  signatures: z.strictObject({ A: z.array(signatureHex.nullable()), B: z.array(signatureHex.nullable()) }),
  /** Dual-bank: the bank the next boot activates (a newly programmed image, or a rollback). */
  pending: z.strictObject({ bank: z.enum(BANK_NAMES), kind: z.enum(['newImage', 'rollback']) }).nullable(),
  /** Dual-bank: boots of the active bank since it was activated without confirmation; null once confirmed. */
  unconfirmedBoots: z.number().int().min(0).nullable(),
  /** The version that ran before the current one (single-bank F1A1). */
  previousVersion: z.string().nullable(),
  lastBootedVersion: z.string().nullable(),
  securityFailedAttempts: z.number().int().min(0),
  /** Epoch ms until which SecurityAccess is locked (0: not locked). Persisted so a power cycle does not reset it. */
  securityLockedUntil: z.number().int().min(0),
  bootCount: z.number().int().min(0),
  /** F15A as last written (hex), null before the first programming attempt. */
  fingerprint: z
    .string()
    .regex(/^([0-9a-f]{2})*$/)
    .nullable(),
  dtcs: z.array(dtcSchema),
});
export type EcuState = z.infer<typeof ecuStateSchema>;

export function initialEcuState(regionCount: number, signatures: readonly string[]): EcuState {
  return {
    format: 1,
    activeBank: 'A',
    signatures: { A: [...signatures], B: new Array<null>(regionCount).fill(null) },
    pending: null,
    unconfirmedBoots: null,
    previousVersion: null,
    lastBootedVersion: null,
    securityFailedAttempts: 0,
    securityLockedUntil: 0,
    bootCount: 0,
    fingerprint: null,
    dtcs: [],
  };
}
