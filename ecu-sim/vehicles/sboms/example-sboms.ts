import { readFileSync } from 'node:fs';

/** The example ECUs' CycloneDX SBOMs (one per hardware id), read from this folder. */
export function exampleSbom(hardwareId: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${hardwareId}.cdx.json`, import.meta.url), 'utf8')) as unknown;
}
