// The ECU's physical ISO-TP endpoint, with the two faults that act on the wire: answers held back (delay) and
// nothing sent at all once the power is gone.
import { IsoTpEndpoint, type CanTransport, type IsoTpOptions, type ReceivedFormat } from '@ota/uds';
import type { EcuFaults } from '../faults/ecu-faults.ts';
import { responseStep } from '../faults/fault-step.ts';
import type { PowerSupply } from '../flash/power.ts';

export class FaultAwareEndpoint extends IsoTpEndpoint {
  constructor(
    transport: CanTransport,
    options: IsoTpOptions,
    private readonly faults: EcuFaults,
    private readonly power: PowerSupply,
  ) {
    super(transport, options);
  }

  override async send(payload: Uint8Array, replyTo?: ReceivedFormat): Promise<void> {
    const delayMs = this.faults.delayFor(responseStep(payload));
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (!this.power.isOn) return;
    return super.send(payload, replyTo);
  }
}
