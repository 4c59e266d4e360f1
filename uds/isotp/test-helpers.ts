// Test helpers for ISO-TP over the in-memory bus: a connected endpoint pair, a frame recorder and raw injection.
import { afterEach } from 'vitest';
import type { CanFrame } from '../can/frame.ts';
import { MemoryCanBus } from '../can/memory-bus.ts';
import type { CanTransport } from '../can/transport.ts';
import { IsoTpEndpoint } from './endpoint.ts';
import type { IsoTpError } from './errors.ts';
import type { IsoTpOptions } from './options.ts';
import { nowMicros } from './stmin.ts';

export interface RecordedFrame extends CanFrame {
  /** hrtime µs at the moment send() was called (a lower bound of when it hit the bus). */
  sentAtMicros: number;
  from: string;
}

/** A transport that records every frame it is asked to send (the frames of a batch with the batch's time). */
export function recording(transport: CanTransport, log: RecordedFrame[]): CanTransport {
  const record = (frame: CanFrame, sentAtMicros: number): void => {
    log.push({ ...frame, data: Uint8Array.from(frame.data), sentAtMicros, from: transport.name });
  };
  return {
    name: transport.name,
    send: (frame) => {
      record(frame, nowMicros());
      return transport.send(frame);
    },
    sendBatch: (frames) => {
      const now = nowMicros();
      for (const frame of frames) record(frame, now);
      return transport.sendBatch(frames);
    },
    subscribe: (f, l) => transport.subscribe(f, l),
    onError: (l) => transport.onError(l),
    close: () => transport.close(),
  };
}

export interface Pair {
  bus: MemoryCanBus;
  tester: IsoTpEndpoint;
  ecu: IsoTpEndpoint;
  frames: RecordedFrame[];
  testerErrors: IsoTpError[];
  ecuErrors: IsoTpError[];
  transportErrors: Error[];
  /** A third node on the bus that can put arbitrary frames on it. */
  inject: (id: number, hex: string, extended?: boolean) => Promise<void>;
  received: (side: 'tester' | 'ecu') => Uint8Array[];
  close: () => Promise<void>;
}

export function endpointPair(
  tester: Partial<IsoTpOptions> = {},
  ecu: Partial<IsoTpOptions> = {},
  ids: { req: number; res: number; extended29?: boolean } = { req: 0x7e0, res: 0x7e8 },
  bus = new MemoryCanBus(),
): Pair {
  const frames: RecordedFrame[] = [];
  const transportErrors: Error[] = [];
  const tt = recording(bus.attach('tester'), frames);
  const et = recording(bus.attach('ecu'), frames);
  const raw = bus.attach('injector');
  tt.onError((e) => transportErrors.push(e));
  et.onError((e) => transportErrors.push(e));
  const extended29 = ids.extended29 ?? false;
  const t = new IsoTpEndpoint(tt, { txId: ids.req, rxId: ids.res, extended29, ...tester });
  const e = new IsoTpEndpoint(et, { txId: ids.res, rxId: ids.req, extended29, ...ecu });
  const testerErrors: IsoTpError[] = [];
  const ecuErrors: IsoTpError[] = [];
  t.onError((err) => testerErrors.push(err));
  e.onError((err) => ecuErrors.push(err));
  const inbox = { tester: [] as Uint8Array[], ecu: [] as Uint8Array[] };
  t.onMessage((m) => inbox.tester.push(m));
  e.onMessage((m) => inbox.ecu.push(m));
  return {
    bus,
    tester: t,
    ecu: e,
    frames,
    testerErrors,
    ecuErrors,
    transportErrors,
    inject: (id, hex, extended = extended29) => {
      const data = Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
      return raw.send({ id, extended, fd: data.length > 8, data });
    },
    received: (side) => inbox[side],
    close: async () => {
      await t.close();
      await e.close();
    },
  };
}

/** Lets queued bus deliveries and timers of 0 ms run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** What a host that deschedules the process does to it: nothing of its own runs for `ms`. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A stall that starts in the check phase, so the timers phase comes before the poll and check phases that
 * deliver the frame put on the bus as it begins. */
export async function stallProcess(ms: number, frameOnTheBus: () => Promise<void>): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const delivered = frameOnTheBus();
  busyFor(ms);
  await delivered;
}

/** The same stall, started by the event that armed the timeout (e.g. the frame that came in), at once or, for a
 * timeout armed after that event's callback, in the next loop turn. Only that turn lies between the timeout
 * starting and the stall, so a host delay shorter than the timeout cannot make it expire ahead of the stall. */
export function stallNow(ms: number, frameOnTheBus: () => Promise<void>): void {
  void frameOnTheBus();
  busyFor(ms);
}

export function stallNext(ms: number, frameOnTheBus: () => Promise<void>): void {
  setImmediate(() => stallNow(ms, frameOnTheBus));
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** Registers an afterEach that closes what a test handed over, passed or failed; returns the hand-over. */
export function closeAfterEach(): <T extends { close: () => Promise<void> }>(thing: T) => T {
  const open: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    for (const thing of open.splice(0)) await thing.close();
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}
