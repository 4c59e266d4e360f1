import { unzipSync } from 'fflate';
import { AdvisoryError } from './advisory.ts';
import type { ParsedAdvisory } from './advisory.ts';
import { parseCsaf } from './csaf.ts';
import { parseOsv } from './osv.ts';

/** One JSON value: a CSAF document, an OSV record, or an array of OSV records. */
export function parseAdvisoryJson(value: unknown, where = ''): ParsedAdvisory[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => parseOsv(v, `${where}/${i}`));
  if (typeof value === 'object' && value !== null) {
    const doc = (value as { document?: { csaf_version?: unknown } }).document;
    if (doc?.csaf_version !== undefined) {
      try {
        return parseCsaf(value);
      } catch (err) {
        if (err instanceof AdvisoryError)
          throw new AdvisoryError(`${where}${err.path}`, `${where} ${err.message}`.trim());
        throw err;
      }
    }
    if ('id' in value && 'modified' in value) return [parseOsv(value, where)];
  }
  throw new AdvisoryError(where || '/', `${where || 'the body'} is neither a CSAF 2.0 document nor an OSV record`);
}

function parseText(text: string, where: string): ParsedAdvisory[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AdvisoryError(where, `${where} is not JSON: ${(err as Error).message}`);
  }
  return parseAdvisoryJson(value, where);
}

/** An OSV export zip (one record per .json file, as osv.dev ships `<ecosystem>/all.zip`). */
export function parseAdvisoryZip(bytes: Uint8Array): ParsedAdvisory[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => f.name.endsWith('.json') });
  } catch (err) {
    throw new AdvisoryError('/', `not a readable zip archive: ${(err as Error).message}`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return Object.keys(files)
    .sort()
    .flatMap((name) => parseText(decoder.decode(files[name]), name));
}

/** A file's bytes by name: .zip as an export, anything else as JSON. */
export function parseAdvisoryFile(name: string, bytes: Uint8Array): ParsedAdvisory[] {
  if (name.endsWith('.zip')) return parseAdvisoryZip(bytes);
  return parseText(new TextDecoder().decode(bytes), name);
}
