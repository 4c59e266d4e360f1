// Connected mode keeps reading ECUs that did not answer completely (a busy or just-powered ECU, a loaded bus),
// with backoff, and republishes the manifest once what it can report changed: the backend must not wait for
// an ECU the gateway gave up on after one timeout.
import type { EcuInventory } from '../inventory/read-inventory.ts';
import { describeInventoryProblem } from '../inventory/read-inventory.ts';
import { RetryBackoff, type BackoffOptions } from './retry-backoff.ts';

/** Default schedule: 1 s, 2 s, 4 s ... at most one read a minute. */
export const INVENTORY_RETRY_DEFAULT: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

/** What a manifest says of an inventory: the completely read ECUs and what they run. */
function manifestContent(inventory: readonly EcuInventory[]): string {
  return JSON.stringify(
    inventory.flatMap((e) => (e.status === 'complete' ? [[e.serialNumber, e.softwareVersion, e.sha256]] : [])),
  );
}

export class InventoryRetry {
  private readonly backoff: RetryBackoff;
  private timer: NodeJS.Timeout | undefined;
  private lastPublished: string | null = null;
  private stopped = false;

  constructor(
    options: BackoffOptions,
    private readonly log: (line: string) => void,
  ) {
    this.backoff = new RetryBackoff(options);
  }

  /** After each inventory read: runs `retry` later while some ECU was not read completely, else resets. */
  afterRead(inventory: readonly EcuInventory[], retry: () => void): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const problems = inventory.flatMap((e) => describeInventoryProblem(e) ?? []);
    if (problems.length === 0) {
      this.backoff.reset();
      return;
    }
    if (this.stopped) return;
    const ms = this.backoff.next();
    this.log(`inventory incomplete, reading again in ${ms} ms: ${problems.join('; ')}`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) retry();
    }, ms);
    this.timer.unref();
  }

  /** False when a manifest of this inventory would say what the last published one said. */
  changedSincePublished(inventory: readonly EcuInventory[]): boolean {
    return manifestContent(inventory) !== this.lastPublished;
  }

  published(inventory: readonly EcuInventory[]): void {
    this.lastPublished = manifestContent(inventory);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
