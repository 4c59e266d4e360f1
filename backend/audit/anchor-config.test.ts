import { describe, expect, it } from 'vitest';
import { auditAnchorConfig } from './anchor-config.ts';

describe('audit anchoring settings', () => {
  it('defaults to 100 entries or 60 s, the key under KEYS_DIR and the file under DATA_DIR', () => {
    expect(auditAnchorConfig({ DATA_DIR: '/d' })).toEqual({
      keyFile: '/d/keys/audit/checkpoint.pem',
      checkpointFile: '/d/audit/checkpoints.jsonl',
      everyEntries: 100,
      intervalMs: 60_000,
    });
  });

  it('takes each setting from the environment', () => {
    expect(
      auditAnchorConfig({
        AUDIT_KEY_FILE: '/k.pem',
        AUDIT_CHECKPOINT_FILE: '/mnt/anchor/c.jsonl',
        AUDIT_CHECKPOINT_EVERY: '10',
        AUDIT_CHECKPOINT_INTERVAL_S: '5',
      }),
    ).toEqual({ keyFile: '/k.pem', checkpointFile: '/mnt/anchor/c.jsonl', everyEntries: 10, intervalMs: 5000 });
  });

  it('names the setting that is not a whole number of at least 1', () => {
    expect(() => auditAnchorConfig({ AUDIT_CHECKPOINT_EVERY: '0' })).toThrow(
      /AUDIT_CHECKPOINT_EVERY must be a whole number/,
    );
    expect(() => auditAnchorConfig({ AUDIT_CHECKPOINT_INTERVAL_S: '1.5' })).toThrow(
      /AUDIT_CHECKPOINT_INTERVAL_S must be a whole number of at least 1, got "1.5"/,
    );
  });
});
