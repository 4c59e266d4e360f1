// The backend's key set for the demo: the development TUF keys the embedded mode generates, but the ECU
// code-signing key replaced by the TEST-ONLY key the simulated ECUs trust (their codeSigningPublicKey), so
// the images the backend signs pass the ECUs' checkMemory and secure boot.
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDevKeySet } from '../../backend/keys/generate.ts';
import { privateKeyFromHex } from '@ota/uds';

const TEST_KEY_FILE = 'TEST-ONLY-demo-code-signing.pem';

export async function ensureDemoKeys(keysDir: string, testSigningSeedHex: string): Promise<void> {
  await ensureDevKeySet(keysDir);
  const dir = join(keysDir, 'code-signing');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.pem'));
  if (files.length === 1 && files[0] === TEST_KEY_FILE) return;
  for (const f of files) await rm(join(dir, f));
  const pem = privateKeyFromHex(testSigningSeedHex).export({ format: 'pem', type: 'pkcs8' }).toString();
  await writeFile(join(dir, TEST_KEY_FILE), pem, { mode: 0o600 });
}
