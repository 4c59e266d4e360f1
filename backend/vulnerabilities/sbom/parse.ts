import { SbomError } from './component.ts';
import type { ParsedSbom } from './component.ts';
import { parseCycloneDx } from './cyclonedx.ts';
import { parseSpdx } from './spdx.ts';

/** Recognises the format by its marker field and parses it. */
export async function parseSbom(doc: unknown): Promise<ParsedSbom> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SbomError('/', 'an SBOM is a JSON object');
  }
  const record = doc as Record<string, unknown>;
  if (record['bomFormat'] === 'CycloneDX') return parseCycloneDx(record);
  if (typeof record['spdxVersion'] === 'string') return parseSpdx(record);
  throw new SbomError('/', 'neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)');
}
