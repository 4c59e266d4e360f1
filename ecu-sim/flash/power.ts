// The supply of one simulated ECU. A power loss (fault injection) switches it off: from then on nothing is
// persisted and nothing is answered, as if the process had been killed at that instant.
export class PowerLostError extends Error {
  override readonly name = 'PowerLostError';
  constructor() {
    super('the ECU lost power');
  }
}

/** What a persistent write writes (each asks the supply first): a flash erase or program, state.json, the in-place record. */
export type PersistentWrite = 'erase' | 'program' | 'state' | 'in-place';

export class PowerSupply {
  private on = true;
  private readonly listeners: (() => void)[] = [];

  get isOn(): boolean {
    return this.on;
  }

  /** Throws PowerLostError when the power is off: call before every persistent write, naming it (tests count them). */
  assertOn(_write: PersistentWrite): void {
    if (!this.on) throw new PowerLostError();
  }

  cut(): void {
    if (!this.on) return;
    this.on = false;
    for (const l of this.listeners) l();
  }

  onCut(listener: () => void): void {
    this.listeners.push(listener);
  }
}
