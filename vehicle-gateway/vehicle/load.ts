// Reads and validates a vehicle definition file; errors name the file and every wrong field.
import { readFile } from 'node:fs/promises';
import { publicVehicleSchema, type PublicEcuDefinition, type PublicVehicleDefinition } from '@ota/uds/vehicle';

export class VehicleFileError extends Error {
  override readonly name = 'VehicleFileError';
}

export function parseVehicleDefinition(json: unknown, source: string): PublicVehicleDefinition {
  const parsed = publicVehicleSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new VehicleFileError(`${source} is not a valid vehicle definition:\n${issues}`);
  }
  return parsed.data;
}

export async function loadVehicleFile(file: string): Promise<PublicVehicleDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VehicleFileError(`cannot read vehicle file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VehicleFileError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return parseVehicleDefinition(json, file);
}

export function findEcu(vehicle: PublicVehicleDefinition, name: string): PublicEcuDefinition {
  const ecu = vehicle.ecus.find((e) => e.name === name);
  if (!ecu) {
    throw new VehicleFileError(
      `no ECU named "${name}" in the vehicle (ECUs: ${vehicle.ecus.map((e) => e.name).join(', ')})`,
    );
  }
  return ecu;
}
