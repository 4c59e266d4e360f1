// Fault injection specs, as given to `--fault` and the control channel. Grammar: `[ECU/]KIND[:ARGS]`, e.g.
// `ecm/silent:20`, `nrc:0x72@transferData#3`, `delay:300@readDid`, `battery:11500`. No ECU prefix: every ECU.
import { IGNITION_STATES, type IgnitionState } from '../vehicle/schema.ts';

/** The steps of the programming sequence (and the other services) a fault can be attached to. */
export const FAULT_STEPS = [
  'session',
  'ecuReset',
  'clearDtc',
  'readDtc',
  'readDid',
  'securitySeed',
  'securityKey',
  'communicationControl',
  'writeDid',
  'preconditions',
  'erase',
  'checkMemory',
  'dependencies',
  'switchBank',
  'confirmBank',
  'copyBank',
  'requestDownload',
  'transferData',
  'transferExit',
  'testerPresent',
  'dtcSetting',
] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

export type Fault =
  /** Power loss right after the N-th TransferData block (counted from when the fault is set) was written. */
  | { kind: 'silentAfterBlocks'; blocks: number }
  /** Power loss right after the N-th sector of an erase was erased. */
  | { kind: 'silentAfterSectors'; sectors: number }
  /** Answer `nrc` at `step`: every time, or only its `occurrence`-th request (1-based) when given. */
  | { kind: 'nrc'; nrc: number; step: FaultStep; occurrence: number | null }
  /** Hold every answer (or those of one step) back for `ms`. */
  | { kind: 'delay'; ms: number; step: FaultStep | null }
  /** Flip bit 0 of the first data byte of the N-th TransferData block before it is written. */
  | { kind: 'flipBit'; block: number }
  /** Answer every SecurityAccess key with invalidKey, as if the ECU had another secret. */
  | { kind: 'refuseKeys' }
  /** Erase takes `msPerSector` per sector instead of the layout's erase time. */
  | { kind: 'slowErase'; msPerSector: number }
  /** Every flash write (erase or program) takes `ms` longer to become durable: a slow storage medium. */
  | { kind: 'slowFlashWrite'; ms: number };

/** Vehicle conditions a spec can set (they are not faults of one ECU and are not cleared with the faults). */
export type ConditionChange =
  | { kind: 'battery'; mv: number }
  | { kind: 'speed'; kmh: number }
  | { kind: 'ignition'; state: IgnitionState }
  | { kind: 'engine'; running: boolean };

export interface ParsedFaultSpec {
  /** The ECU the spec names, or null for every ECU. */
  ecu: string | null;
  effect: { type: 'fault'; fault: Fault } | { type: 'condition'; change: ConditionChange };
}

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
  constructor(spec: string, problem: string) {
    super(`fault "${spec}": ${problem}`);
  }
}

function integer(text: string | undefined, spec: string, what: string, min: number, max: number): number {
  if (text === undefined || !/^(?:0x[0-9a-fA-F]+|\d+)$/.test(text)) {
    throw new FaultSpecError(spec, `${what} must be an integer (decimal or 0x hex), got "${text ?? ''}"`);
  }
  const value = Number(text);
  if (value < min || value > max) throw new FaultSpecError(spec, `${what} must be ${min}..${max}, got ${value}`);
  return value;
}

function step(text: string, spec: string): FaultStep {
  if (!(FAULT_STEPS as readonly string[]).includes(text)) {
    throw new FaultSpecError(spec, `unknown step "${text}"; steps: ${FAULT_STEPS.join(', ')}`);
  }
  return text as FaultStep;
}

export function parseFaultSpec(spec: string): ParsedFaultSpec {
  const trimmed = spec.trim();
  const slash = trimmed.indexOf('/');
  const ecu = slash >= 0 ? trimmed.slice(0, slash) : null;
  if (ecu !== null && !/^[a-z][a-z0-9_-]{0,31}$/.test(ecu))
    throw new FaultSpecError(spec, `"${ecu}" is not an ECU name`);
  const body = slash >= 0 ? trimmed.slice(slash + 1) : trimmed;
  const colon = body.indexOf(':');
  const kind = colon >= 0 ? body.slice(0, colon) : body;
  const args = colon >= 0 ? body.slice(colon + 1) : undefined;
  const fault = (f: Fault): ParsedFaultSpec => ({ ecu, effect: { type: 'fault', fault: f } });
  const condition = (c: ConditionChange): ParsedFaultSpec => ({ ecu, effect: { type: 'condition', change: c } });
  switch (kind) {
    case 'silent':
      return fault({ kind: 'silentAfterBlocks', blocks: integer(args, spec, 'the block count', 1, 1e9) });
    case 'silent-erase':
      return fault({ kind: 'silentAfterSectors', sectors: integer(args, spec, 'the sector count', 1, 1e9) });
    case 'nrc': {
      const m = /^([^@]+)@([A-Za-z]+)(?:#(\d+))?$/.exec(args ?? '');
      if (!m) throw new FaultSpecError(spec, 'expected nrc:CODE@STEP or nrc:CODE@STEP#N');
      const code = integer(m[1], spec, 'the NRC', 0x10, 0xfe);
      if (code === 0x78) throw new FaultSpecError(spec, '0x78 (responsePending) is not a final answer');
      const occurrence = m[3] === undefined ? null : integer(m[3], spec, 'the occurrence', 1, 1e9);
      return fault({ kind: 'nrc', nrc: code, step: step(m[2] as string, spec), occurrence });
    }
    case 'delay': {
      const [ms, at] = (args ?? '').split('@');
      return fault({
        kind: 'delay',
        ms: integer(ms, spec, 'the delay (ms)', 1, 600_000),
        step: at === undefined ? null : step(at, spec),
      });
    }
    case 'flip':
      return fault({ kind: 'flipBit', block: integer(args, spec, 'the block number', 1, 1e9) });
    case 'refuse-keys':
      if (args !== undefined) throw new FaultSpecError(spec, 'refuse-keys takes no argument');
      return fault({ kind: 'refuseKeys' });
    case 'slow-erase':
      return fault({
        kind: 'slowErase',
        msPerSector: integer(args, spec, 'the erase time per sector (ms)', 0, 60_000),
      });
    case 'slow-flash':
      return fault({
        kind: 'slowFlashWrite',
        ms: integer(args, spec, 'the extra time per flash write (ms)', 0, 60_000),
      });
    case 'battery':
      return condition({ kind: 'battery', mv: integer(args, spec, 'the battery voltage (mV)', 0, 0xffff) });
    case 'speed':
      return condition({ kind: 'speed', kmh: integer(args, spec, 'the speed (km/h)', 0, 0xffff) });
    case 'ignition': {
      if (!(IGNITION_STATES as readonly string[]).includes(args ?? '')) {
        throw new FaultSpecError(spec, `ignition must be one of ${IGNITION_STATES.join(', ')}`);
      }
      return condition({ kind: 'ignition', state: args as IgnitionState });
    }
    case 'engine':
      if (args !== 'running' && args !== 'off') throw new FaultSpecError(spec, 'engine must be "running" or "off"');
      return condition({ kind: 'engine', running: args === 'running' });
    default:
      throw new FaultSpecError(
        spec,
        `unknown kind "${kind}"; kinds: silent, silent-erase, nrc, delay, flip, refuse-keys, slow-erase, slow-flash, battery, speed, ignition, engine`,
      );
  }
}
