import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySecurityEvent, type SecurityEvent, type SignedSecurityEvent } from '@ota/protocol';
import type { StoredVerdict } from '@ota/protocol/mqtt';
import { testSigner } from '@ota/protocol/testing';
import { SecurityEventJournal } from './event-journal.ts';
import { SecurityEventRecorder } from './recorder.ts';

const VIN = 'WVWZZZ1JZXW000001';
const key = testSigner(VIN);

function setup(confirm: boolean) {
  const file = join(mkdtempSync(join(tmpdir(), 'sec-')), 'security-events.jsonl');
  const journal = new SecurityEventJournal(file);
  const sent: SignedSecurityEvent[] = [];
  let clock = Date.parse('2026-12-04T22:00:00Z');
  const recorder = new SecurityEventRecorder({
    vin: VIN,
    key,
    journal,
    now: () => new Date(clock),
    send: (e) => {
      sent.push(e);
      return confirm ? Promise.resolve<StoredVerdict>('stored') : new Promise<StoredVerdict>(() => undefined);
    },
    rateLimit: { burst: 3, perMinute: 60 },
  });
  return { file, journal, sent, recorder, advance: (ms: number) => (clock += ms) };
}

const unknownId = (canId: number) => ({ type: 'can_unknown_id', bus: 'vcan0', canId, details: 'x' }) as const;
const verified = (e: SignedSecurityEvent): SecurityEvent => verifySecurityEvent(e, key.publicKey);

describe('SecurityEventRecorder', () => {
  it('signs and numbers events, cuts a flood and reports how many it dropped', async () => {
    const { sent, recorder, advance, journal } = setup(true);
    for (let i = 0; i < 10; i++) recorder.record(unknownId(0x100 + i));
    expect(sent.map((e) => verified(e).counter)).toEqual([0, 1, 2]);
    expect(verified(sent[0]!)).toMatchObject({ vin: VIN, severity: 'medium', canId: 0x100 });
    advance(1000); // one token back
    recorder.record(unknownId(0x200));
    const summary = verified(sent[3]!);
    expect(summary).toMatchObject({ type: 'events_dropped', dropped: 7, counter: 3, since: '2026-12-04T22:00:00Z' });
    expect(sent).toHaveLength(4); // the summary took the one token; 0x200 was dropped in turn
    recorder.stop();
    await Promise.resolve();
    expect(journal.pending()).toEqual([]);
  });

  it('sends what was not confirmed before a restart again, with the same counter and signature', () => {
    const first = setup(false);
    first.recorder.record(unknownId(0x300));
    first.recorder.stop();
    first.journal.close();
    const journal = new SecurityEventJournal(first.file);
    const resent: SignedSecurityEvent[] = [];
    new SecurityEventRecorder({
      vin: VIN,
      key,
      journal,
      send: (e) => (resent.push(e), Promise.resolve<StoredVerdict>('stored')),
    }).resendPending();
    expect(resent).toEqual(first.sent);
    expect(journal.nextCounter()).toBe(1);
  });
});
