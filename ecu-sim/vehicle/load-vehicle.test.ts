import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVehicleFile, parseVehicleDefinition, VehicleDefinitionError } from './load-vehicle.ts';
import { publicVehicleSchema } from '@ota/uds/vehicle';

const example = join(import.meta.dirname, '..', 'vehicles', 'example.json');

type Json = Record<string, unknown>;
function exampleJson(): Json & { ecus: (Json & { flash: Json; addressing: Json; simulation: Json })[] } {
  return JSON.parse(readFileSync(example, 'utf8')) as never;
}

function problemsOf(value: unknown): string[] {
  try {
    parseVehicleDefinition(value, 'test.json');
  } catch (err) {
    if (err instanceof VehicleDefinitionError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('vehicle definition', () => {
  it('loads the example vehicle with three ECUs', () => {
    const { definition } = loadVehicleFile(example);
    expect(definition.ecus.map((e) => e.name)).toEqual(['ecm', 'bcm', 'adas']);
    expect(definition.ecus[0]?.addressing).toEqual({
      mode: 'normal11',
      requestId: 0x7e0,
      responseId: 0x7e8,
      functionalId: 0x7df,
    });
    expect(definition.ecus.map((e) => e.flash.banks)).toEqual(['single', 'dual', 'dual']);
    expect(definition.ecus[2]?.can.fd).toBe(true);
  });

  it('the public schema accepts the file and ignores the simulation parts', () => {
    const parsed = publicVehicleSchema.parse(exampleJson());
    expect(parsed.ecus).toHaveLength(3);
  });

  it('names the path and the problem of each mistake', () => {
    const v = exampleJson();
    v.vin = 'SHORT';
    v.ecus[0]!.flash.sectorSize = 3000;
    v.ecus[1]!.addressing.requestId = '0x7E0';
    v.ecus[2]!.simulation.securitySecret = 'zz';
    v.ecus[2]!.flash.regions = [{ address: '0x1000', size: 4096, extra: 1 }];
    const problems = problemsOf(v);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vin: 17 characters/),
        expect.stringMatching(/^ecus\[0\]\.flash\.sectorSize: the sector size is a power of two/),
        expect.stringMatching(/^ecus\[2\]\.simulation\.securitySecret: must be 16-64 bytes of hex/),
        expect.stringMatching(/^ecus\[2\]\.flash\.regions\[0\]: Unrecognized key/),
      ]),
    );
  });

  it('rejects two ECUs on the same request id and duplicate names', () => {
    const v = exampleJson();
    v.ecus[1]!.addressing.requestId = '0x7E0';
    v.ecus[2]!.name = 'ecm';
    expect(problemsOf(v)).toEqual([
      'ecus[1].addressing: same interface and request address as ecus[0]',
      'ecus[2].name: duplicate name',
    ]);
  });

  it('rejects overlapping and misaligned regions', () => {
    const v = exampleJson();
    v.ecus[0]!.flash.regions = [
      { address: '0x10000', size: 8192 },
      { address: '0x11000', size: 4096 },
      { address: '0x20100', size: 4096 },
    ];
    expect(problemsOf(v)).toEqual([
      'ecus[0].flash.regions[1]: overlaps region 0',
      'ecus[0].flash.regions[2]: region address and size must be multiples of the sector size (4096)',
    ]);
  });

  it('reports unreadable files and bad JSON with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecu-sim-vehicle-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "vin": ');
    expect(() => loadVehicleFile(file)).toThrow(/bad\.json:\n {2}- not valid JSON/);
    expect(() => loadVehicleFile(join(dir, 'absent.json'))).toThrow(/cannot read the file/);
  });
});
