// One TLS connection to the syslog collector, opened on demand and dropped on any error or close (the
// forwarder opens a new one and resends what was not marked delivered).
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';

export interface TlsSenderOptions {
  host: string;
  port: number;
  /** CA bundle that signed the collector's certificate (PEM); the system CAs when absent. */
  caFile?: string | undefined;
  /** Client certificate and key (PEM) for a collector that authenticates its senders. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  connectTimeoutMs?: number;
}

export class TlsSender {
  #socket: TLSSocket | null = null;
  #broken: Error | null = null;

  constructor(private readonly options: TlsSenderOptions) {}

  get connected(): boolean {
    return this.#socket !== null && this.#broken === null;
  }

  /**
   * Writes `bytes` and resolves once TLS handed them to the kernel. Rejects when the connection
   * fails, or failed or was closed by the collector before (its FIN arrives before the next write).
   */
  async write(bytes: Buffer): Promise<void> {
    const socket = await this.#open();
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
    if (this.#broken) throw this.#broken;
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  async #open(): Promise<TLSSocket> {
    if (this.#socket && !this.#broken) return this.#socket;
    this.close();
    this.#broken = null;
    const o = this.options;
    const socket = connect({
      host: o.host,
      port: o.port,
      servername: /^[\d.:]+$/.test(o.host) ? '' : o.host,
      ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}),
      ...(o.certFile ? { cert: readFileSync(o.certFile) } : {}),
      ...(o.keyFile ? { key: readFileSync(o.keyFile) } : {}),
    });
    const fail = (err: Error) => {
      this.#broken ??= err;
      socket.destroy();
    };
    socket.on('error', fail);
    socket.on('end', () => fail(new Error('the collector closed the connection')));
    socket.on('close', () => fail(new Error('connection closed')));
    socket.setTimeout(o.connectTimeoutMs ?? 10_000, () => fail(new Error('connect timeout')));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        resolve();
      });
      socket.once('close', () => reject(this.#broken ?? new Error('connection closed')));
    });
    this.#socket = socket;
    return socket;
  }
}
