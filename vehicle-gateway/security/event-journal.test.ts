import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signSecurityEvent } from '@ota/protocol';
import { testSigner } from '@ota/protocol/testing';
import { SecurityEventJournal } from './event-journal.ts';

const VIN = 'WVWZZZ1JZXW000001';
const key = testSigner(VIN);
const event = (counter: number) =>
  signSecurityEvent(
    {
      vin: VIN,
      counter,
      at: '2026-12-04T22:00:00Z',
      severity: 'medium',
      type: 'can_unknown_id',
      bus: 'vcan0',
      canId: 0x123,
      details: 'x',
    },
    key,
  );

describe('SecurityEventJournal', () => {
  it('keeps unconfirmed events and the counter across a restart, and ignores a torn last line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sec-')), 'security-events.jsonl');
    const first = new SecurityEventJournal(file);
    expect(first.nextCounter()).toBe(0);
    first.append(event(0));
    first.append(event(1));
    first.append(event(2));
    first.markStored(1);
    first.close();
    appendFileSync(file, '{"event":{"signatures":[{"keyid":"ab'); // the process died mid-line

    const second = new SecurityEventJournal(file);
    expect(second.pending().map((e) => e.signed.counter)).toEqual([0, 2]);
    expect(second.nextCounter()).toBe(3);
    expect(() => second.append(event(2))).toThrow(/reused/);
    second.markStored(0);
    second.markStored(2);
    second.close();

    // Everything confirmed: the compacted file still remembers the last counter.
    const third = new SecurityEventJournal(file);
    expect(third.pending()).toEqual([]);
    expect(third.nextCounter()).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('{"counter":2}\n');
    third.close();
  });
});
