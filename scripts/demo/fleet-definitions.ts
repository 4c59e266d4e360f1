// The demo fleet: N copies of a template vehicle (ecu-sim/vehicles/example.json), each with its own VIN and ECU
// serial numbers. Derived again at every start from the template and the vehicle's index, so only keys and
// state persist; the CAN interface is chosen per start (vcan<i> or the vehicle's own in-memory bus).
import { resolve } from 'node:path';
import { loadVehicleFile, type VehicleDefinition } from '../../ecu-sim/index.ts';

const VEHICLES_DIR = resolve(import.meta.dirname, '../../ecu-sim/vehicles');
export const TEMPLATES = {
  /** Three ECUs with 256 KiB application regions (4 KiB sectors). */
  example: resolve(VEHICLES_DIR, 'example.json'),
  /** The same ECUs with 16 KiB regions (1 KiB sectors), for slow machines. */
  small: resolve(VEHICLES_DIR, 'small.json'),
} as const;
export type TemplateName = keyof typeof TEMPLATES;

export const DEMO_MODEL = { id: 'sample-sedan', name: 'Sample Sedan' } as const;
/** The two ECU kinds the seeded release updates; the third (ecm) keeps its software. */
export const UPDATED_ECUS = ['bcm', 'adas'] as const;

export interface DemoTemplate {
  readonly name: TemplateName;
  readonly definition: VehicleDefinition;
  /** The template's directory: the TEST signing key path in it is relative to this. */
  readonly baseDir: string;
}

export function loadTemplate(name: TemplateName): DemoTemplate {
  const { definition, baseDir } = loadVehicleFile(TEMPLATES[name]);
  for (const ecu of UPDATED_ECUS) {
    if (!definition.ecus.some((e) => e.name === ecu)) throw new Error(`${TEMPLATES[name]} has no ECU "${ecu}"`);
  }
  return { name, definition, baseDir };
}

/** VINs are 17 characters without I, O or Q: WVSAMPLED + 8 digits. */
export function demoVin(index: number): string {
  return `WVSAMPLED${String(index + 1).padStart(8, '0')}`;
}

/** The template's serial with its trailing number replaced by the vehicle's (BCM0000000001 -> BCM0000000003). */
function serialFor(templateSerial: string, index: number): string {
  const match = /^(.*?)(\d+)$/.exec(templateSerial);
  const prefix = match?.[1] ?? templateSerial;
  const width = match?.[2]?.length ?? 6;
  return `${prefix}${String(index + 1).padStart(width, '0')}`;
}

/** Vehicle `index` of the fleet, its ECUs on `canInterface`. */
export function demoVehicle(template: DemoTemplate, index: number, canInterface: string): VehicleDefinition {
  const t = template.definition;
  return {
    ...t,
    vin: demoVin(index),
    ecus: t.ecus.map((e) => ({
      ...e,
      can: { ...e.can, interface: canInterface },
      identification: { ...e.identification, serialNumber: serialFor(e.identification.serialNumber, index) },
    })),
  };
}
