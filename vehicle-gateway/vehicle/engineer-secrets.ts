// Engineer mode only: the SecurityAccess secret of an ECU as a simulator's vehicle file records it
// (ecus[].simulation.securitySecret). Connected mode never reads this; its secrets come from the gateway config.
import { readFile } from 'node:fs/promises';

export async function secretFromVehicleFile(file: string, ecuName: string): Promise<Uint8Array | null> {
  const json = JSON.parse(await readFile(file, 'utf8')) as {
    ecus?: { name?: unknown; simulation?: { securitySecret?: unknown } }[];
  };
  const secret = json.ecus?.find((e) => e.name === ecuName)?.simulation?.securitySecret;
  return typeof secret === 'string' && /^([0-9a-fA-F]{2})+$/.test(secret)
    ? new Uint8Array(Buffer.from(secret, 'hex'))
    : null;
}

export function parseSecretHex(hex: string, what: string): Uint8Array {
  const trimmed = hex.trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(trimmed)) throw new Error(`${what} must be 16-64 bytes of hex`);
  return new Uint8Array(Buffer.from(trimmed, 'hex'));
}
