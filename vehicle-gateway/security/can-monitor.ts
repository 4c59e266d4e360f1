// A simple CAN intrusion check on the gateway's own sockets. SocketCAN (and the in-memory bus) do not echo a
// socket's own frames back to it, so a diagnostic request this socket receives was sent by someone else: a
// tester the gateway does not know. Frames on ids outside the vehicle's known set are reported too. Each
// (bus, id, service) is reported at most once per quiet period; the recorder's rate limit caps the rest.
import type { CanFrame, CanTransport } from '@ota/uds';
import { normalFixedId } from '@ota/uds';
import type { PublicVehicleDefinition } from '@ota/uds/vehicle';
import type { SecurityEventInput } from './recorder.ts';

const PHYSICAL_29 = 0x18da;
const FUNCTIONAL_29 = 0x18db;

/** What the vehicle file says may appear on one bus. */
export interface BusProfile {
  /** 11-bit physical and functional request ids of the ECUs. */
  requestIds11: Set<number>;
  /** Target addresses of 29-bit physical requests (the ECUs) and of functional ones. */
  ecuAddresses29: Set<number>;
  functionalAddresses29: Set<number>;
  /** Every id the vehicle's own traffic uses (requests, responses, functional, `knownCanIds`). */
  knownIds: Set<number>;
}

export function busProfiles(
  vehicle: PublicVehicleDefinition,
  interfaceOverride: string | null,
): Map<string, BusProfile> {
  const profiles = new Map<string, BusProfile>();
  const profileOf = (bus: string) => {
    let p = profiles.get(bus);
    if (!p) {
      p = {
        requestIds11: new Set(),
        ecuAddresses29: new Set(),
        functionalAddresses29: new Set(),
        knownIds: new Set(vehicle.knownCanIds),
      };
      profiles.set(bus, p);
    }
    return p;
  };
  for (const ecu of vehicle.ecus) {
    const p = profileOf(interfaceOverride ?? ecu.can.interface);
    const a = ecu.addressing;
    if (a.mode === 'normal11') {
      for (const id of [a.requestId, a.functionalId]) p.requestIds11.add(id);
      for (const id of [a.requestId, a.responseId, a.functionalId]) p.knownIds.add(id);
    } else {
      p.ecuAddresses29.add(a.ecuAddress);
      p.functionalAddresses29.add(a.functionalAddress);
      p.knownIds.add(normalFixedId('physical', a.ecuAddress, a.testerAddress));
      p.knownIds.add(normalFixedId('physical', a.testerAddress, a.ecuAddress));
      p.knownIds.add(normalFixedId('functional', a.functionalAddress, a.testerAddress));
    }
  }
  return profiles;
}

/** True for a frame addressed to one of the vehicle's ECUs (or functionally to all) as a tester would. */
export function isDiagnosticRequest(frame: CanFrame, profile: BusProfile): boolean {
  if (!frame.extended) return profile.requestIds11.has(frame.id);
  const kind = frame.id >>> 16;
  const target = (frame.id >>> 8) & 0xff;
  if (kind === PHYSICAL_29) return profile.ecuAddresses29.has(target);
  return kind === FUNCTIONAL_29 && profile.functionalAddresses29.has(target);
}

/** The UDS service id of an ISO-TP single or first frame; undefined for consecutive and flow-control frames. */
export function requestServiceId(data: Uint8Array): number | undefined {
  const pci = (data[0] ?? 0xff) >> 4;
  if (pci === 0) return data[0] === 0 ? data[2] : data[1]; // CAN FD escape: length in byte 1
  if (pci === 1) return (data[0]! & 0x0f) === 0 && data[1] === 0 ? data[6] : data[2]; // >4095 bytes: 32-bit length
  return undefined;
}

export interface CanMonitorOptions {
  /** A (bus, id, service) seen again within this many ms is not reported again. Default 10 s. */
  quietMs?: number;
  now?: () => number;
}

export class CanIntrusionMonitor {
  readonly #lastReported = new Map<string, number>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(
    private readonly report: (event: SecurityEventInput) => void,
    private readonly options: CanMonitorOptions = {},
  ) {}

  watch(transport: CanTransport, profile: BusProfile): void {
    this.#unsubscribe.push(transport.subscribe(null, (frame) => this.#inspect(transport.name, frame, profile)));
  }

  stop(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  #inspect(bus: string, frame: CanFrame, profile: BusProfile): void {
    const id = `0x${frame.id.toString(16).toUpperCase()}`;
    if (isDiagnosticRequest(frame, profile)) {
      const serviceId = requestServiceId(frame.data);
      if (serviceId === undefined || !this.#due(`${bus}/${frame.id}/${serviceId}`)) return;
      this.report({
        type: 'can_unsent_diagnostic_request',
        bus,
        canId: frame.id,
        serviceId,
        details: `${bus}: diagnostic request 0x${serviceId.toString(16).padStart(2, '0')} on ${id} that this gateway did not send`,
      });
    } else if (!profile.knownIds.has(frame.id) && this.#due(`${bus}/${frame.id}`)) {
      this.report({
        type: 'can_unknown_id',
        bus,
        canId: frame.id,
        details: `${bus}: frame on ${id}, outside the vehicle's known CAN ids`,
      });
    }
  }

  #due(key: string): boolean {
    const now = this.options.now?.() ?? Date.now();
    const last = this.#lastReported.get(key);
    if (last !== undefined && now - last < (this.options.quietMs ?? 10_000)) return false;
    this.#lastReported.set(key, now);
    return true;
  }
}
