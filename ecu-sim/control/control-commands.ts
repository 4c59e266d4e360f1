// The control channel's commands (one JSON object per line) and what each does to a running vehicle.
import { z } from 'zod';
import { IGNITION_STATES } from '../vehicle/schema.ts';
import type { RunningVehicle } from '../vehicle-runner.ts';

const ecuName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/);

export const controlCommandSchema = z.discriminatedUnion('cmd', [
  /** Adds a fault: the same spec as --fault, e.g. "ecm/silent:20". */
  z.strictObject({ cmd: z.literal('fault'), spec: z.string().min(1) }),
  /** Removes the faults of one ECU, or of all. */
  z.strictObject({ cmd: z.literal('clearFaults'), ecu: ecuName.optional() }),
  /** Sets vehicle conditions (programming preconditions and DIDs 0100-0102). */
  z.strictObject({
    cmd: z.literal('set'),
    batteryMv: z.number().int().min(0).max(0xffff).optional(),
    speedKmh: z.number().int().min(0).max(0xffff).optional(),
    ignition: z.enum(IGNITION_STATES).optional(),
    engineRunning: z.boolean().optional(),
  }),
  /** Cuts one ECU's power now (it keeps what it persisted). */
  z.strictObject({ cmd: z.literal('powerLoss'), ecu: ecuName }),
  /** Powers one ECU off and on again from its state directory. */
  z.strictObject({ cmd: z.literal('powerCycle'), ecu: ecuName }),
  /** Every ECU's mode, session, bank, version, counters, faults; and the vehicle conditions. */
  z.strictObject({ cmd: z.literal('status') }),
]);
export type ControlCommand = z.infer<typeof controlCommandSchema>;

export type ControlReply = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/** Parses one line; a bad line gets an error reply and changes nothing. */
export function parseControlLine(line: string): ControlCommand | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = controlCommandSchema.safeParse(json);
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; ') };
  }
  return parsed.data;
}

export async function executeControlCommand(vehicle: RunningVehicle, command: ControlCommand): Promise<ControlReply> {
  try {
    switch (command.cmd) {
      case 'fault':
        vehicle.applyFault(command.spec);
        return { ok: true };
      case 'clearFaults':
        vehicle.clearFaults(command.ecu);
        return { ok: true };
      case 'set': {
        const c = vehicle.conditions;
        if (command.batteryMv !== undefined) c.apply({ kind: 'battery', mv: command.batteryMv });
        if (command.speedKmh !== undefined) c.apply({ kind: 'speed', kmh: command.speedKmh });
        if (command.ignition !== undefined) c.apply({ kind: 'ignition', state: command.ignition });
        if (command.engineRunning !== undefined) c.apply({ kind: 'engine', running: command.engineRunning });
        return { ok: true, conditions: c.current };
      }
      case 'powerLoss':
        vehicle.ecu(command.ecu).powerLoss();
        return { ok: true };
      case 'powerCycle':
        return { ok: true, status: (await vehicle.powerCycle(command.ecu)).status() };
      case 'status':
        return {
          ok: true,
          conditions: vehicle.conditions.current,
          ecus: vehicle.ecus.map((e) => ({ ...e.status(), faults: e.faults.list() })),
        };
    }
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
