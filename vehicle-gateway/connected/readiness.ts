// Before installing: the install window of the config, and the programming preconditions of every ECU
// (31 01 0203 in the extended session), polled until they hold. Reading them changes nothing on the ECU.
import type { EcuLink } from '../flash/ecu-link.ts';
import { decodePreconditions, type PreconditionCheck } from '../flash/preconditions.ts';
import { insideInstallWindow, type GatewayConfig } from './config.ts';
import { DiagnosticSession, RoutineId } from '@ota/uds';

export async function probePreconditions(link: EcuLink): Promise<PreconditionCheck> {
  await link.diagnosticSessionControl(DiagnosticSession.extended);
  try {
    return decodePreconditions(await link.startRoutine(RoutineId.checkProgrammingPreconditions));
  } finally {
    await link.diagnosticSessionControl(DiagnosticSession.default).catch(() => undefined);
  }
}

export interface WaitOptions {
  pollMs: number;
  /** Give up at this time (the campaign deadline). */
  until: Date | null;
  now: () => Date;
  log: (line: string) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Resolves true when the window is open and every ECU may be programmed; false at the deadline or on abort. */
export async function waitUntilReady(
  window: GatewayConfig['installWindow'],
  check: () => Promise<{ ecu: string; result: PreconditionCheck }[]>,
  o: WaitOptions,
): Promise<boolean> {
  for (;;) {
    if (o.signal?.aborted) return false;
    if (o.until && o.now() > o.until) return false;
    if (!insideInstallWindow(window, o.now())) {
      o.log(`waiting for the install window ${window?.start}-${window?.end}`);
    } else {
      const results = await check();
      const blocked = results.filter((r) => !r.result.ok);
      if (blocked.length === 0) return true;
      o.log(`waiting: ${blocked.map((b) => `${b.ecu}: ${b.result.ok ? '' : b.result.reasons.join(', ')}`).join('; ')}`);
    }
    await sleep(o.pollMs, o.signal);
  }
}
