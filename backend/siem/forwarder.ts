// Forwards every stored security event to the SIEM's syslog collector: RFC 5424 over TLS with octet
// counting, OCSF JSON bodies. The database is the outbox: an event is marked delivered only after its frame
// was written to the TLS connection, and whatever is unmarked is sent again after a reconnect, so a
// collector restart loses nothing. Each event carries its stable id (`<VIN>-<counter>`) for the collector.
import { hostname } from 'node:os';
import type { Db } from '../db/database.ts';
import { markSiemDelivered, undeliveredSecurityEvents } from '../security-events/service.ts';
import { toOcsf } from './ocsf.ts';
import { formatSyslog, octetCounted, type SyslogHeader } from './syslog.ts';
import { TlsSender, type TlsSenderOptions } from './tls-sender.ts';

export interface SiemForwarderOptions extends TlsSenderOptions {
  facility?: number;
  hostname?: string;
  /** Events per write. */
  batch?: number;
  /** How often the outbox is read when idle. */
  pollMs?: number;
  log?: (line: string) => void;
}

const MAX_BACKOFF_MS = 30_000;

export class SiemForwarder {
  readonly #sender: TlsSender;
  readonly #header: SyslogHeader;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #failures = 0;
  /** Events delivered since start (for tests and a metric). */
  delivered = 0;

  constructor(
    private readonly db: Db,
    private readonly options: SiemForwarderOptions,
  ) {
    this.#sender = new TlsSender(options);
    this.#header = {
      facility: options.facility ?? 10,
      hostname: options.hostname ?? hostname(),
      appName: 'ota-backend',
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Reads the outbox now instead of at the next poll (after an ingest, say). */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    this.#sender.close();
  }

  /** Sends one batch of undelivered events and marks them; resolves with how many. */
  async forwardOnce(): Promise<number> {
    const events = await undeliveredSecurityEvents(this.db, this.options.batch ?? 100);
    if (events.length === 0) return 0;
    const frames = events.map((e) =>
      octetCounted(
        formatSyslog(this.#header, {
          id: e.id,
          vin: e.vin,
          type: e.type,
          severity: e.severity,
          occurredAt: e.occurredAt,
          body: JSON.stringify(toOcsf(e)),
        }),
      ),
    );
    await this.#sender.write(Buffer.concat(frames));
    await markSiemDelivered(
      this.db,
      events.map((e) => e.id),
      new Date(),
    );
    this.delivered += events.length;
    return events.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let sent = 0;
      try {
        sent = await this.forwardOnce();
        if (this.#failures > 0) this.options.log?.('siem: collector reachable again');
        this.#failures = 0;
      } catch (err) {
        this.#sender.close();
        this.#failures++;
        if (this.#failures === 1 || this.#failures % 10 === 0)
          this.options.log?.(`siem: forwarding failed (${this.#failures}x), will resend: ${(err as Error).message}`);
      }
      if (sent === (this.options.batch ?? 100) && this.#failures === 0) continue;
      const delay =
        this.#failures === 0
          ? (this.options.pollMs ?? 1000)
          : Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.#failures, 8));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }
}
