import { PackageIdError, parseCpe, parsePurl } from '../package-key.ts';

/** A component as stored: identified by purl and/or CPE 2.3, with the version matching uses. */
export interface SbomComponent {
  name: string;
  version: string;
  purl: string | null;
  cpe: string | null;
  /** The purl's key when there is a purl, else the CPE's. */
  packageKey: string;
}

/** A document that does not say what it must; `path` names the place (JSON pointer). */
export class SbomError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedSbom {
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
  components: SbomComponent[];
  /** Components without purl or CPE: listed in the document, not matchable, not stored. */
  unidentified: number;
}

/** Builds the row for one component, or null when it carries neither purl nor CPE. */
export function toComponent(
  path: string,
  name: string,
  version: string | undefined,
  purl: string | undefined,
  cpe: string | undefined,
): SbomComponent | null {
  if (!purl && !cpe) return null;
  try {
    const p = purl ? parsePurl(purl) : null;
    const c = cpe ? parseCpe(cpe) : null;
    const v = version || p?.version || c?.version;
    if (!v) throw new SbomError(`${path}/version`, `component "${name}" has no version`);
    const packageKey = (p ?? c)?.key as string;
    return { name, version: v, purl: purl ?? null, cpe: cpe ?? null, packageKey };
  } catch (err) {
    if (err instanceof PackageIdError) throw new SbomError(path, err.message);
    throw err;
  }
}
