import { describe, expect, it } from 'vitest';
import type { CanFrame } from './frame.ts';
import { MemoryCanBus } from './memory-bus.ts';

const f = (id: number, ...bytes: number[]): CanFrame => ({
  id,
  extended: false,
  fd: false,
  data: Uint8Array.from(bytes),
});

describe('MemoryCanBus', () => {
  it('delivers asynchronously, in order, to every other transport but not back to the sender', async () => {
    const bus = new MemoryCanBus();
    const a = bus.attach('a');
    const b = bus.attach('b');
    const c = bus.attach('c');
    const seen: string[] = [];
    a.subscribe(null, (fr) => seen.push(`a:${fr.id}`));
    b.subscribe(null, (fr) => seen.push(`b:${fr.id}`));
    c.subscribe(null, (fr) => seen.push(`c:${fr.id}`));
    const sent = a.send(f(1, 1));
    expect(seen).toEqual([]); // not inside send()
    await sent;
    await b.send(f(2));
    expect(seen).toEqual(['b:1', 'c:1', 'a:2', 'c:2']);
  });

  it('applies id filters and copies the data', async () => {
    const bus = new MemoryCanBus();
    const a = bus.attach('a');
    const b = bus.attach('b');
    const got: CanFrame[] = [];
    b.subscribe([{ id: 0x7e8, mask: 0x7f8 }], (fr) => got.push(fr));
    const data = Uint8Array.of(9);
    const p = a.send({ id: 0x7ea, extended: false, fd: false, data });
    data[0] = 0;
    await p;
    await a.send(f(0x7e0));
    expect(got.map((g) => [g.id, g.data[0]])).toEqual([[0x7ea, 9]]);
  });

  it('keeps delivering when a listener throws, and reports it', async () => {
    const bus = new MemoryCanBus();
    const a = bus.attach('a');
    const b = bus.attach('b');
    const errors: Error[] = [];
    const got: number[] = [];
    b.onError((e) => errors.push(e));
    b.subscribe(null, () => {
      throw new Error('boom');
    });
    b.subscribe(null, (fr) => got.push(fr.id));
    await a.send(f(5));
    expect(got).toEqual([5]);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  it('delivers a batch together, in order, in one later turn, and rejects it whole if a frame is invalid', async () => {
    const bus = new MemoryCanBus();
    const a = bus.attach('a');
    const b = bus.attach('b');
    const seen: number[] = [];
    b.subscribe(null, (fr) => seen.push(fr.data[0] as number));
    const sent = a.sendBatch(Array.from({ length: 100 }, (_, i) => f(0x7e0, i)));
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await sent;
    await expect(a.sendBatch([f(0x7e0, 1), { ...f(0x7e0), data: new Uint8Array(9) }])).rejects.toThrow(/exceeds 8/);
    await a.send(f(0x7e0, 0xff));
    expect(seen.length).toBe(101);
  });

  it('rejects invalid frames and sends on closed transports', async () => {
    const bus = new MemoryCanBus();
    const a = bus.attach('a');
    await expect(a.send({ id: 0x800, extended: false, fd: false, data: new Uint8Array(1) })).rejects.toThrow(/11-bit/);
    await a.close();
    await expect(a.send(f(1))).rejects.toThrow(/closed/);
  });
});

describe('MemoryCanBus with a bit rate', () => {
  it('keeps frames in order and takes their transmission time (a lower bound)', async () => {
    const bus = new MemoryCanBus({ bitrate: 500_000 });
    const a = bus.attach('a');
    const b = bus.attach('b');
    const got: number[] = [];
    b.subscribe(null, (fr) => got.push(fr.id));
    const start = performance.now();
    // 200 frames of ~125 bits at 500 kbit/s: at least ~50 ms on the wire.
    const arrivedWhenQueued: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        a.send(f(i, 0, 1, 2, 3, 4, 5, 6, 7)).then(() => (arrivedWhenQueued[i] = got.length)),
      ),
    );
    expect(arrivedWhenQueued[0]).toBe(0); // send() returns once the frame is queued, like a controller
    while (got.length < 200) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('carries a batch in its transmission time and counts that time in the model', async () => {
    const bus = new MemoryCanBus({ bitrate: 500_000 });
    const a = bus.attach('a');
    const b = bus.attach('b');
    const got: number[] = [];
    b.subscribe(null, (fr) => got.push(fr.data[0] as number));
    const start = performance.now();
    await a.sendBatch(Array.from({ length: 200 }, (_, i) => f(0x100, i, 1, 2, 3, 4, 5, 6, 7)));
    while (got.length < 200) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // 200 frames of 126 modelled bits at 500 kbit/s: 50.4 ms of bus time, and at least that long in reality.
    expect(bus.modelBusyMs).toBeCloseTo(50.4, 6);
    expect(performance.now() - start).toBeGreaterThanOrEqual(50);
  });

  it('rejects a bit rate that is not positive', () => {
    expect(() => new MemoryCanBus({ bitrate: 0 })).toThrow(/positive/);
  });
});
