// The vehicle's conditions every ECU of it sees (battery, speed, ignition, engine): the programming
// preconditions. Set from the vehicle file, the `--fault` specs and the control channel.
import { PreconditionReason } from '@ota/uds';
import type { ConditionChange } from '../faults/fault-spec.ts';
import { IGNITION_STATES, type Preconditions } from '../vehicle/schema.ts';

export const MIN_PROGRAMMING_BATTERY_MV = 12_000;

export class VehicleConditions {
  private value: Preconditions;

  constructor(initial: Preconditions) {
    this.value = { ...initial };
  }

  get current(): Readonly<Preconditions> {
    return this.value;
  }

  apply(change: ConditionChange): void {
    switch (change.kind) {
      case 'battery':
        this.value = { ...this.value, batteryMv: change.mv };
        break;
      case 'speed':
        this.value = { ...this.value, speedKmh: change.kmh };
        break;
      case 'ignition':
        this.value = { ...this.value, ignition: change.state };
        break;
      case 'engine':
        this.value = { ...this.value, engineRunning: change.running };
        break;
    }
  }

  /** DID 0102's encoding: 0 off, 1 accessory, 2 on, 3 cranking. */
  get ignitionCode(): number {
    return IGNITION_STATES.indexOf(this.value.ignition);
  }

  /** The reasons programming may not start now; empty when it may. */
  programmingBlockers(): number[] {
    const reasons: number[] = [];
    if (this.value.speedKmh !== 0) reasons.push(PreconditionReason.speedNotZero);
    if (this.value.ignition !== 'on') reasons.push(PreconditionReason.ignitionNotOn);
    if (this.value.batteryMv < MIN_PROGRAMMING_BATTERY_MV) reasons.push(PreconditionReason.batteryLow);
    if (this.value.engineRunning) reasons.push(PreconditionReason.engineRunning);
    return reasons;
  }
}
