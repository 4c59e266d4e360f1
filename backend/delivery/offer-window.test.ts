import { describe, expect, it } from 'vitest';
import { OfferWindow } from './offer-window.ts';

/** A publish the test settles by hand. */
function publish(): { promise: Promise<void>; done: () => void } {
  let done: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (done = resolve));
  return { promise, done };
}

describe('OfferWindow', () => {
  it('leaves room for no more than maxOffers in flight and frees it as batches are acknowledged', async () => {
    const window = new OfferWindow(10, 4);
    const first = publish();
    const second = publish();
    window.track(6, first.promise);
    expect(window.room).toBe(4);
    window.track(4, second.promise);
    expect(window.room).toBe(0);
    let waited = false;
    const waiting = window.waitForRoom().then(() => (waited = true));
    await Promise.resolve();
    expect(waited).toBe(false);
    first.done();
    await waiting;
    expect(window.room).toBe(6);
    expect(window.inFlight).toBe(4);
    second.done();
    await window.drain();
    expect(window.inFlight).toBe(0);
  });

  it('has no room once maxBatches batches are in flight, however small', async () => {
    const window = new OfferWindow(1000, 2);
    const batches = [publish(), publish()];
    for (const b of batches) window.track(1, b.promise);
    expect(window.room).toBe(0);
    batches[0]!.done();
    await window.waitForRoom();
    expect(window.room).toBe(999);
    batches[1]!.done();
    await window.drain();
  });

  it('refuses a window that could never hold an offer', () => {
    expect(() => new OfferWindow(0, 1)).toThrow(RangeError);
    expect(() => new OfferWindow(1, 0)).toThrow(RangeError);
  });
});
