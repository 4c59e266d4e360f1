import { describe, expect, it } from 'vitest';
import { EcuFaults } from './ecu-faults.ts';
import { parseFaultSpec } from './fault-spec.ts';

describe('fault specs', () => {
  it('parses every kind', () => {
    expect(parseFaultSpec('ecm/silent:20')).toEqual({
      ecu: 'ecm',
      effect: { type: 'fault', fault: { kind: 'silentAfterBlocks', blocks: 20 } },
    });
    expect(parseFaultSpec('nrc:0x72@transferData#3').effect).toEqual({
      type: 'fault',
      fault: { kind: 'nrc', nrc: 0x72, step: 'transferData', occurrence: 3 },
    });
    expect(parseFaultSpec('nrc:0x22@erase').effect).toMatchObject({ fault: { occurrence: null, step: 'erase' } });
    expect(parseFaultSpec('delay:300').effect).toMatchObject({ fault: { kind: 'delay', ms: 300, step: null } });
    expect(parseFaultSpec('delay:300@readDid').effect).toMatchObject({ fault: { step: 'readDid' } });
    expect(parseFaultSpec('flip:4').effect).toMatchObject({ fault: { kind: 'flipBit', block: 4 } });
    expect(parseFaultSpec('bcm/refuse-keys')).toMatchObject({ ecu: 'bcm', effect: { fault: { kind: 'refuseKeys' } } });
    expect(parseFaultSpec('slow-erase:200').effect).toMatchObject({ fault: { kind: 'slowErase', msPerSector: 200 } });
    expect(parseFaultSpec('ecm/slow-flash:300').effect).toMatchObject({ fault: { kind: 'slowFlashWrite', ms: 300 } });
    expect(parseFaultSpec('silent-erase:5').effect).toMatchObject({ fault: { kind: 'silentAfterSectors' } });
    expect(parseFaultSpec('battery:11500').effect).toEqual({
      type: 'condition',
      change: { kind: 'battery', mv: 11500 },
    });
    expect(parseFaultSpec('speed:30').effect).toMatchObject({ change: { kind: 'speed', kmh: 30 } });
    expect(parseFaultSpec('ignition:off').effect).toMatchObject({ change: { kind: 'ignition', state: 'off' } });
    expect(parseFaultSpec('engine:running').effect).toMatchObject({ change: { kind: 'engine', running: true } });
  });

  it('explains what is wrong', () => {
    expect(() => parseFaultSpec('silent:abc')).toThrow('fault "silent:abc": the block count must be an integer');
    expect(() => parseFaultSpec('nrc:0x72@flashing')).toThrow(/unknown step "flashing"/);
    expect(() => parseFaultSpec('nrc:0x78@erase')).toThrow(/responsePending/);
    expect(() => parseFaultSpec('slow-flash:-1')).toThrow(/the extra time per flash write \(ms\) must be an integer/);
    expect(() => parseFaultSpec('explode')).toThrow(/unknown kind "explode"/);
    expect(() => parseFaultSpec('ECM/silent:1')).toThrow(/not an ECU name/);
    expect(() => parseFaultSpec('ignition:maybe')).toThrow(/ignition must be one of off, accessory, on, cranking/);
  });
});

describe('EcuFaults', () => {
  it('answers an NRC only at the chosen occurrence of a step', () => {
    const faults = new EcuFaults();
    faults.add({ kind: 'nrc', nrc: 0x72, step: 'transferData', occurrence: 2 });
    expect([1, 2, 3].map(() => faults.nrcFor('transferData'))).toEqual([null, 0x72, null]);
    expect(faults.nrcFor('erase')).toBeNull();
  });

  it('counts blocks for power loss and bit flips from the moment the fault is set', () => {
    const faults = new EcuFaults();
    faults.add({ kind: 'silentAfterBlocks', blocks: 2 });
    faults.add({ kind: 'flipBit', block: 2 });
    expect(faults.corruptBlock(Uint8Array.of(0x10, 0x20))).toEqual(Uint8Array.of(0x10, 0x20));
    expect(faults.blockWritten()).toBe(false);
    expect(faults.corruptBlock(Uint8Array.of(0x10, 0x20))).toEqual(Uint8Array.of(0x11, 0x20));
    expect(faults.blockWritten()).toBe(true);
    faults.clear();
    expect(faults.list()).toEqual([]);
  });
});
