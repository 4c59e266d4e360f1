// After ECUReset the ECU reboots (the bootloader verifies the application first); poll until it answers again.
import type { EcuLink } from './ecu-link.ts';
import { readVersionAndHash } from './identification.ts';

export interface WaitOptions {
  attempts?: number;
  intervalMs?: number;
}

export async function waitForEcu(
  link: EcuLink,
  { attempts = 50, intervalMs = 100 }: WaitOptions = {},
): Promise<{ softwareVersion: string; sha256: string }> {
  let last: unknown = null;
  for (let i = 0; i < attempts; i++) {
    await new Promise((r) => setTimeout(r, i === 0 ? 20 : intervalMs));
    try {
      return await readVersionAndHash(link);
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`the ECU did not answer after its reset: ${last instanceof Error ? last.message : String(last)}`);
}
