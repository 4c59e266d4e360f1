import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { SbomError, toComponent } from './component.ts';
import type { ParsedSbom, SbomComponent } from './component.ts';

// CycloneDX 1.5 and 1.6 JSON, validated against the specification's JSON schema (shipped with
// @cyclonedx/cyclonedx-library, so validation works offline).

// One validator per version: each compiles its schema once, on first use.
const VALIDATORS = {
  '1.5': new Validation.JsonStrictValidator(Spec.Version.v1dot5),
  '1.6': new Validation.JsonStrictValidator(Spec.Version.v1dot6),
} as const;

interface CdxComponent {
  name: string;
  version?: string;
  purl?: string;
  cpe?: string;
  components?: CdxComponent[];
}

export async function parseCycloneDx(doc: Record<string, unknown>): Promise<ParsedSbom> {
  const specVersion = doc['specVersion'];
  if (specVersion !== '1.5' && specVersion !== '1.6') {
    throw new SbomError('/specVersion', `CycloneDX ${String(specVersion)} is not accepted (1.5 or 1.6)`);
  }
  const errors = await VALIDATORS[specVersion].validate(JSON.stringify(doc));
  if (errors) {
    const first = (errors as { instancePath?: string; message?: string }[])[0];
    throw new SbomError(
      first?.instancePath || '/',
      `not valid CycloneDX ${specVersion}: ${first?.message ?? 'schema'}`,
    );
  }
  const components: SbomComponent[] = [];
  let unidentified = 0;
  // Nested components (an image's packages inside a firmware component) count as well.
  const walk = (list: CdxComponent[] | undefined, path: string) => {
    list?.forEach((c, i) => {
      const here = `${path}/${i}`;
      const row = toComponent(here, c.name, c.version, c.purl, c.cpe);
      if (row) components.push(row);
      else unidentified++;
      walk(c.components, `${here}/components`);
    });
  };
  const metadata = doc['metadata'] as { component?: CdxComponent } | undefined;
  walk(metadata?.component?.components, '/metadata/component/components');
  walk(doc['components'] as CdxComponent[] | undefined, '/components');
  return { format: 'cyclonedx', specVersion, components, unidentified };
}
