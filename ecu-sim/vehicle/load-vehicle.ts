// Reads a vehicle definition file: JSON syntax errors and schema violations become one clear error that names
// the file, the path of each mistake and what is wrong with it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { vehicleSchema, type VehicleDefinition } from './schema.ts';

export class VehicleDefinitionError extends Error {
  override readonly name = 'VehicleDefinitionError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid vehicle definition ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A vehicle definition with every file it names resolved against the directory of the definition. */
export interface LoadedVehicle {
  definition: VehicleDefinition;
  /** Directory that relative paths in the definition are resolved against. */
  baseDir: string;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** Validates an already parsed JSON value. `source` names it in errors. */
export function parseVehicleDefinition(value: unknown, source: string): VehicleDefinition {
  const result = vehicleSchema.safeParse(value);
  if (!result.success) throw new VehicleDefinitionError(source, describeIssues(result.error));
  return result.data;
}

export function loadVehicleFile(file: string): LoadedVehicle {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VehicleDefinitionError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VehicleDefinitionError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return { definition: parseVehicleDefinition(json, path), baseDir: dirname(path) };
}
