import { describe, expect, it } from 'vitest';
import { InstallQueue } from './install-queue.ts';

describe('InstallQueue', () => {
  it('lets each vehicle finish installMs after its offer, oldest first, at most max at a time', () => {
    const q = new InstallQueue(4, 1000);
    q.add(2, 0);
    q.add(0, 10);
    q.add(3, 20);
    expect([q.size, q.nextDoneAt, q.has(0), q.has(1)]).toEqual([3, 1000, true, false]);
    expect(q.take(999, 10)).toEqual([]);
    expect(q.take(1015, 10)).toEqual([2, 0]);
    expect([q.has(2), q.has(0), q.nextDoneAt]).toEqual([false, false, 1020]);
    expect(q.take(5000, 1)).toEqual([3]);
    expect([q.size, q.nextDoneAt]).toEqual([0, undefined]);
  });

  it('takes a vehicle again after it finished, around the end of its ring', () => {
    const q = new InstallQueue(2, 5);
    for (let round = 0; round < 5; round++) {
      q.add(1, round * 10);
      q.add(0, round * 10 + 1);
      expect(q.take(round * 10 + 6, 10)).toEqual([1, 0]);
    }
  });

  it('refuses a vehicle already installing or outside the fleet, and changes nothing', () => {
    const q = new InstallQueue(3, 100);
    q.add(1, 0);
    expect(() => q.add(1, 5)).toThrow('vehicle 1 is already installing');
    expect(() => q.add(3, 5)).toThrow('vehicle 3 outside 0..2');
    expect(() => q.add(-1, 5)).toThrow('outside');
    expect([q.size, q.take(1000, 10)]).toEqual([1, [1]]);
  });
});
