// Reads an ECU's 0x29 files (trust anchor, own certificate and key; PEM, relative to the vehicle file) into what
// the simulated ECU holds. A missing or unreadable file is an error naming the ECU and the file.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EcuAuthenticationConfig } from '../ecu/authentication.ts';
import type { EcuDefinition } from './schema.ts';

function read(ecu: string, what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${ecu}: cannot read the ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function loadEcuAuthentication(def: EcuDefinition, baseDir: string): EcuAuthenticationConfig | undefined {
  const files = def.simulation.authentication;
  if (!files || def.access === 'seedKey') return undefined;
  const path = (f: string): string => resolve(baseDir, f);
  try {
    const anchorFile = path(files.trustAnchorFile);
    const certFile = path(files.certificateFile);
    return {
      trustAnchor: new X509Certificate(read(def.name, 'trust anchor', anchorFile)),
      certificate: new Uint8Array(new X509Certificate(read(def.name, 'certificate', certFile)).raw),
      privateKey: createPrivateKey(read(def.name, 'private key', path(files.privateKeyFile))),
      testerRoles: files.testerRoles,
      programmingRoles: files.programmingRoles,
    };
  } catch (err) {
    if ((err as Error).message.startsWith(`${def.name}:`)) throw err;
    // Parse errors only name the file kind: the message of a key parse never includes key material.
    throw new Error(`${def.name}: invalid authentication file: ${(err as Error).message}`, { cause: err });
  }
}
