// What the service handlers of a virtual ECU share: its definition, memory, bootloader functions, faults and
// the vehicle conditions, plus the little run-time state that lives only until the next reset.
import type { EcuFaults } from '../faults/ecu-faults.ts';
import type { EcuDefinition } from '../vehicle/schema.ts';
import type { EcuMemory } from './ecu-memory.ts';
import type { Programming } from './programming.ts';
import type { BootOutcome } from './secure-boot.ts';
import type { SecurityAccess } from './security-access.ts';
import type { VehicleConditions } from './vehicle-conditions.ts';

export interface EcuContext {
  readonly definition: EcuDefinition;
  readonly vin: string;
  readonly memory: EcuMemory;
  readonly programming: Programming;
  readonly security: SecurityAccess;
  readonly faults: EcuFaults;
  readonly conditions: VehicleConditions;
  /** The result of the last boot: application running, or bootloader only. */
  readonly boot: BootOutcome;
  readonly timing: { p2ServerMs: number; p2StarServerMs: number };
  /** ControlDTCSetting state (on after every reset). */
  dtcSettingOn: boolean;
  /** CommunicationControl state: the last control type (0x00 after every reset). */
  communicationControlType: number;
  /** ECUReset, or leaving the programming session: secure boot runs again, default session. */
  reboot(): void;
}
