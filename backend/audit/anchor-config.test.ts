import { describe, expect, it } from 'vitest';
import { loadBackendConfig } from '../config.ts';
import { auditAnchorConfig } from './anchor-config.ts';

describe('audit anchoring settings', () => {
  it('defaults to 100 entries or 60 s, the key under KEYS_DIR and the file under DATA_DIR', async () => {
    expect(auditAnchorConfig(await loadBackendConfig({ DATA_DIR: '/d' }))).toEqual({
      keyFile: '/d/keys/audit/checkpoint.pem',
      checkpointFile: '/d/audit/checkpoints.jsonl',
      everyEntries: 100,
      intervalMs: 60_000,
    });
  });

  it('takes each setting from the parsed environment', async () => {
    const config = await loadBackendConfig({
      AUDIT_KEY_FILE: '/k.pem',
      AUDIT_CHECKPOINT_FILE: '/mnt/anchor/c.jsonl',
      AUDIT_CHECKPOINT_EVERY: '10',
      AUDIT_CHECKPOINT_INTERVAL_S: '5',
    });
    expect(auditAnchorConfig(config)).toEqual({
      keyFile: '/k.pem',
      checkpointFile: '/mnt/anchor/c.jsonl',
      everyEntries: 10,
      intervalMs: 5000,
    });
  });

  it('treats an empty variable as unset, as the schema does', async () => {
    const config = await loadBackendConfig({ DATA_DIR: '/d', AUDIT_KEY_FILE: '', AUDIT_CHECKPOINT_FILE: '' });
    expect(auditAnchorConfig(config)).toMatchObject({
      keyFile: '/d/keys/audit/checkpoint.pem',
      checkpointFile: '/d/audit/checkpoints.jsonl',
    });
  });

  it('the schema names the setting that is not a whole number of at least 1', async () => {
    await expect(loadBackendConfig({ AUDIT_CHECKPOINT_EVERY: '0' })).rejects.toThrow(/AUDIT_CHECKPOINT_EVERY="0"/);
    await expect(loadBackendConfig({ AUDIT_CHECKPOINT_INTERVAL_S: '1.5' })).rejects.toThrow(
      /AUDIT_CHECKPOINT_INTERVAL_S="1.5"/,
    );
  });
});
