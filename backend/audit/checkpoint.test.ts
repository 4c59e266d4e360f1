import { describe, expect, it } from 'vitest';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { checkpointSignedBy, digestOf, parseCheckpointLine, signCheckpoint } from './checkpoint.ts';

const signer = ed25519SignerFromSeed(seedFromLabel('audit checkpoint test'));
const other = ed25519SignerFromSeed(seedFromLabel('someone else'));
const publicHex = signer.publicKey.keyval.public;
const hashes = ['a', 'b', 'c'].map((c) => c.repeat(64));
const at = new Date('2026-12-04T10:00:00.000Z');

describe('audit checkpoints', () => {
  it('signs entries from..seq with one digest each and the full head hash; the signature verifies', () => {
    const c = signCheckpoint(signer, { from: 4, seq: 6, hashes, at });
    expect(c).toMatchObject({ v: 1, from: 4, seq: 6, headHash: 'c'.repeat(64), at: at.toISOString() });
    expect(c.digests).toEqual(hashes.map(digestOf));
    expect(c.digests[0]).toHaveLength(16);
    expect(c.keyId).toBe(signer.keyId);
    expect(checkpointSignedBy(c, publicHex)).toBe(true);
  });

  it('fails verification after any change, and with another key', () => {
    const c = signCheckpoint(signer, { from: 4, seq: 6, hashes, at });
    expect(checkpointSignedBy({ ...c, seq: 7 }, publicHex)).toBe(false);
    expect(checkpointSignedBy({ ...c, digests: [digestOf('d'.repeat(64)), ...c.digests.slice(1)] }, publicHex)).toBe(
      false,
    );
    expect(checkpointSignedBy({ ...c, at: '2026-12-04T10:00:01.000Z' }, publicHex)).toBe(false);
    expect(checkpointSignedBy(c, other.publicKey.keyval.public)).toBe(false);
    const byOther = signCheckpoint(other, { from: 4, seq: 6, hashes, at });
    // A line signed by another key claiming this key's id does not verify either.
    expect(checkpointSignedBy({ ...byOther, keyId: signer.keyId }, publicHex)).toBe(false);
  });

  it('refuses a range whose hashes do not match its length', () => {
    expect(() => signCheckpoint(signer, { from: 1, seq: 5, hashes, at })).toThrow(/one hash per entry/);
    expect(() => signCheckpoint(signer, { from: 1, seq: 1, hashes: [], at })).toThrow(/at least one entry/);
  });

  it('parses its own lines, names what is wrong with a malformed one, and treats non-JSON as torn', () => {
    const c = signCheckpoint(signer, { from: 4, seq: 6, hashes, at });
    const line = JSON.stringify(c);
    expect(parseCheckpointLine(line)).toEqual({ kind: 'checkpoint', checkpoint: c });
    expect(parseCheckpointLine(line.slice(0, 40))).toEqual({ kind: 'torn' });
    expect(parseCheckpointLine(JSON.stringify({ ...c, sig: 'zz' }))).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/^sig:/),
    });
    expect(parseCheckpointLine(JSON.stringify({ ...c, seq: 7 }))).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/digests must cover from\.\.seq/),
    });
    expect(parseCheckpointLine(JSON.stringify({ ...c, headHash: 'd'.repeat(64) }))).toMatchObject({ kind: 'invalid' });
  });
});
