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

  it('rejects a bit rate that is not positive', () => {
    expect(() => new MemoryCanBus({ bitrate: 0 })).toThrow(/positive/);
  });
});
