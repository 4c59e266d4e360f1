// Which CAN the simulated fleet uses: SocketCAN (vehicle i on vcan<i>) when the kernel has it and every
// vehicle has an interface, else one in-process MemoryCanBus per vehicle, timed like a 500 kbit/s bus
// (2 Mbit/s CAN FD data phase) so flashing takes a real bus's time; the timing costs one timer per
// millisecond of bus time, which is cheap.
import { readFileSync } from 'node:fs';
import { MemoryCanBus, openSocketCan, type CanTransport } from '@ota/uds';

export type CanMode = 'auto' | 'vcan' | 'memory';

/** How one vehicle's ECUs and gateway reach their CAN bus. */
export interface VehicleCan {
  /** The interface name the vehicle's ECUs are put on. */
  readonly iface: string;
  /** A transport for an ECU of the simulator or for the gateway (each caller closes its own). */
  open(iface: string): Promise<CanTransport>;
}

export interface CanChoice {
  readonly kind: 'socketcan' | 'memory';
  /** One line for the console: what was chosen and why. */
  readonly describe: string;
  forVehicle(index: number): VehicleCan;
}

const BITRATE = 500_000;
const FD_DATA_BITRATE = 2_000_000;

function memoryChoice(reason: string): CanChoice {
  return {
    kind: 'memory',
    describe: `in-process MemoryCanBus per vehicle, timed like ${BITRATE / 1000} kbit/s (${reason})`,
    forVehicle() {
      const bus = new MemoryCanBus({ bitrate: BITRATE, dataBitrate: FD_DATA_BITRATE });
      let n = 0;
      return { iface: 'can0', open: async (iface) => bus.attach(`${iface}/${++n}`) };
    },
  };
}

function socketCanChoice(vehicles: number): CanChoice {
  const last = vehicles === 1 ? 'vcan0' : `vcan0..vcan${vehicles - 1}`;
  return {
    kind: 'socketcan',
    describe: `SocketCAN, vehicle i on vcan<i> (${last})`,
    forVehicle(index) {
      const iface = `vcan${index}`;
      return { iface, open: (name) => openSocketCan(name) };
    },
  };
}

/** Why interface `iface` cannot carry the fleet's CAN FD ECUs, or null when it can. */
function fdProblem(iface: string): string | null {
  try {
    const mtu = Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim());
    return mtu >= 72 ? null : `${iface} has MTU ${mtu}, CAN FD needs 72 (ip link set ${iface} mtu 72)`;
  } catch {
    return null; // no sysfs: let the open decide
  }
}

/** Opens (and closes) vcan0..vcan(N-1) to see whether SocketCAN can carry the whole fleet. */
async function probeSocketCan(vehicles: number, needsFd: boolean): Promise<string | null> {
  for (let i = 0; i < vehicles; i++) {
    const iface = `vcan${i}`;
    try {
      const t = await openSocketCan(iface);
      await t.close();
    } catch (err) {
      return i === 0 ? (err as Error).message : `${iface} is missing (one vcan interface per vehicle)`;
    }
    const fd = needsFd ? fdProblem(iface) : null;
    if (fd) return fd;
  }
  return null;
}

export async function chooseCan(mode: CanMode, vehicles: number, needsFd: boolean): Promise<CanChoice> {
  if (mode === 'memory') return memoryChoice('--can memory');
  const problem = await probeSocketCan(vehicles, needsFd);
  if (problem === null) return socketCanChoice(vehicles);
  if (mode === 'vcan') throw new Error(`--can vcan: ${problem}`);
  return memoryChoice(`no SocketCAN: ${problem}`);
}
