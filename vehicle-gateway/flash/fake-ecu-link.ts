// A test double: a single-bank ECU that serves the flash engine's EcuLink/FunctionalLink in memory, with just
// enough of the reference profile's rules (sessions, security, erase-before-write, block counters, signature
// check) to make the engine's unit tests meaningful. Integration tests use ecu-sim instead.
import { createHash, verify, type KeyObject } from 'node:crypto';
import { NegativeResponseError } from '../../uds/nrc.ts';
import { computeSecurityKey } from '../../uds/security-key.ts';
import type { DownloadRequest, EcuLink, FunctionalLink } from './ecu-link.ts';
import { DataIdentifier, decodeMemoryRange, DiagnosticSession, RoutineId } from '../../uds/index.ts';

export interface FakeEcuOptions {
  address: number;
  image: Uint8Array;
  version: string;
  serialNumber: string;
  hardwareId: string;
  vin: string;
  secret: Uint8Array;
  publicKey: KeyObject;
  sectorSize: number;
  maxBlockLength: number;
  /** Status record of 0203 (default 00). */
  preconditions?: Uint8Array;
  /** Answer TransferData of this (1-based) block index, but "lose" the response once. */
  loseResponseOfBlock?: number;
  /** Answer this NRC to the TransferData block with this 1-based index. */
  failBlock?: { index: number; nrc: number };
}

export class FakeEcu {
  flash: Uint8Array;
  running: { image: Uint8Array; version: string };
  session: number = DiagnosticSession.default;
  unlocked = false;
  seed = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  requests: string[] = [];
  functionalRequests: string[] = [];
  blocksReceived = 0;
  private download: { next: number; end: number; expected: number; last: number | null } | null = null;
  private signatureValid = false;

  constructor(readonly o: FakeEcuOptions) {
    this.flash = Uint8Array.from(o.image);
    this.running = { image: Uint8Array.from(o.image), version: o.version };
  }

  private nrc(sid: number, nrc: number): never {
    throw new NegativeResponseError(sid, nrc);
  }

  private inProgramming(sid: number): void {
    if (this.session !== DiagnosticSession.programming) this.nrc(sid, 0x7f);
    if (!this.unlocked) this.nrc(sid, 0x33);
  }

  link(): EcuLink {
    const o = this.o;
    const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    return {
      // The fake is a seed/key ECU: Authentication (0x29) is not supported.
      authentication: async () => this.nrc(0x29, 0x11),
      readDataByIdentifier: async (did) => {
        this.requests.push(`22 ${did.toString(16)}`);
        const values: Record<number, Uint8Array> = {
          [DataIdentifier.vin]: ascii(o.vin),
          [DataIdentifier.serialNumber]: ascii(o.serialNumber),
          [DataIdentifier.hardwareId]: ascii(o.hardwareId),
          [DataIdentifier.applicationSoftwareVersion]: ascii(this.running.version),
          [DataIdentifier.activeImageSha256]: new Uint8Array(createHash('sha256').update(this.running.image).digest()),
          [DataIdentifier.bankInfo]: Uint8Array.of(0x00),
        };
        return values[did] ?? this.nrc(0x22, 0x31);
      },
      writeDataByIdentifier: async (did) => {
        this.requests.push(`2E ${did.toString(16)}`);
        this.inProgramming(0x2e);
      },
      diagnosticSessionControl: async (session) => {
        this.requests.push(`10 ${session}`);
        if (session !== this.session) this.unlocked = false;
        this.session = session;
      },
      requestSeed: async () => {
        this.requests.push('27 11');
        return this.unlocked ? new Uint8Array(16) : this.seed;
      },
      sendKey: async (_level, key) => {
        this.requests.push('27 12');
        const expected = computeSecurityKey(o.secret, this.seed);
        if (Buffer.compare(Buffer.from(key), Buffer.from(expected)) !== 0) this.nrc(0x27, 0x35);
        this.unlocked = true;
      },
      startRoutine: async (rid, option = new Uint8Array(0)) => this.routine(rid, option),
      requestDownload: async (r: DownloadRequest) => {
        this.requests.push(`34 ${r.dataFormatIdentifier}`);
        this.inProgramming(0x34);
        if (r.dataFormatIdentifier !== 0) this.nrc(0x34, 0x31);
        this.download = { next: r.address, end: r.address + r.size, expected: 1, last: null };
        return o.maxBlockLength;
      },
      transferData: async (bsc, data) => this.transfer(bsc, data),
      requestTransferExit: async () => {
        this.requests.push('37');
        if (!this.download || this.download.next !== this.download.end) this.nrc(0x37, 0x24);
        this.download = null;
      },
      ecuReset: async () => {
        this.requests.push('11 01');
        this.session = DiagnosticSession.default;
        this.unlocked = false;
        if (this.signatureValid) this.running = { image: Uint8Array.from(this.flash), version: versionOf(this.flash) };
      },
      clearDiagnosticInformation: async () => {
        this.requests.push('14');
      },
    };
  }

  functional(): FunctionalLink {
    return {
      communicationControl: async (ct, type) => {
        this.functionalRequests.push(`28 ${ct} ${type}`);
      },
      controlDtcSetting: async (type) => {
        this.functionalRequests.push(`85 ${type}`);
      },
    };
  }

  private routine(rid: number, option: Uint8Array): Uint8Array {
    this.requests.push(`31 ${rid.toString(16)}`);
    const range = () => {
      const { address, size } = decodeMemoryRange(option);
      return { offset: address - this.o.address, size };
    };
    if (rid === RoutineId.checkProgrammingPreconditions) return this.o.preconditions ?? Uint8Array.of(0);
    this.inProgramming(0x31);
    if (rid === RoutineId.eraseMemory) {
      const { offset, size } = range();
      this.flash.fill(0xff, offset, offset + size);
      this.signatureValid = false;
      return Uint8Array.of(0);
    }
    if (rid === RoutineId.checkMemory) {
      const digest = createHash('sha256').update(this.flash).digest();
      this.signatureValid = verify(null, digest, this.o.publicKey, option);
      return Uint8Array.of(this.signatureValid ? 0 : 1);
    }
    if (rid === RoutineId.checkProgrammingDependencies) return Uint8Array.of(this.signatureValid ? 0 : 1);
    return this.nrc(0x31, 0x31);
  }

  private lostOnce = false;

  private transfer(bsc: number, data: Uint8Array): Uint8Array {
    const d = this.download;
    if (!d) return this.nrc(0x36, 0x24);
    if (bsc === d.last && bsc !== d.expected) return new Uint8Array(0);
    if (bsc !== d.expected) return this.nrc(0x36, 0x73);
    this.blocksReceived++;
    if (this.o.failBlock?.index === this.blocksReceived) this.nrc(0x36, this.o.failBlock.nrc);
    const offset = d.next - this.o.address;
    if (!this.flash.subarray(offset, offset + data.length).every((b) => b === 0xff)) this.nrc(0x36, 0x72);
    this.flash.set(data, offset);
    d.next += data.length;
    d.last = bsc;
    d.expected = (bsc + 1) & 0xff;
    if (this.o.loseResponseOfBlock === this.blocksReceived && !this.lostOnce) {
      this.lostOnce = true;
      throw new Error('no response to service 0x36 within 300 ms');
    }
    return new Uint8Array(0);
  }
}

/** The fake's images carry their version as ASCII in bytes 8..31 (like ecu-sim's info block). */
export function versionOf(image: Uint8Array): string {
  return Buffer.from(image.subarray(8, 32)).toString('latin1').replace(/\0+$/, '');
}
