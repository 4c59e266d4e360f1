import { describe, expect, it } from 'vitest';
import type { FlashLayout } from '@ota/uds/vehicle';
import { complementRuns, planBusBytes, planRegion, sectorRuns, TransferPlanError } from './transfer-plan.ts';

const layout = (banks: 'single' | 'dual', methods = [{ id: 0, name: 'none' }]): FlashLayout => ({
  banks,
  sectorSize: 16,
  eraseTimePerSectorMs: 0,
  regions: [{ address: 0x100, size: 64 }],
  compressionMethods: methods,
});

const current = Uint8Array.from({ length: 64 }, (_, i) => i);
const next = Uint8Array.from(current);
next[20] = 0xaa; // sector 1
next[63] = 0xbb; // sector 3

describe('sectorRuns / complementRuns', () => {
  it('groups changed and unchanged sectors into runs', () => {
    expect(sectorRuns(current, next, 16, true)).toEqual([
      { offset: 16, size: 16 },
      { offset: 48, size: 16 },
    ]);
    expect(sectorRuns(current, next, 16, false)).toEqual([
      { offset: 0, size: 16 },
      { offset: 32, size: 16 },
    ]);
    expect(complementRuns([{ offset: 16, size: 16 }], 64)).toEqual([
      { offset: 0, size: 16 },
      { offset: 32, size: 32 },
    ]);
  });
});

describe('planRegion', () => {
  it('single bank, sector-diff: erases and writes only the changed sectors', () => {
    const plan = planRegion(layout('single'), 0x100, current, next, 'sector-diff');
    expect(plan.ops.map((o) => `${o.kind}@${o.address.toString(16)}+${o.size}`)).toEqual([
      'erase@110+16',
      'download@110+16',
      'erase@130+16',
      'download@130+16',
    ]);
  });

  it('dual bank, sector-diff: erases the region, copies unchanged sectors from the active bank', () => {
    const plan = planRegion(layout('dual'), 0x100, current, next, 'sector-diff');
    expect(plan.ops.map((o) => `${o.kind}@${o.address.toString(16)}+${o.size}`)).toEqual([
      'erase@100+64',
      'copy@100+16',
      'copy@120+16',
      'download@110+16',
      'download@130+16',
    ]);
    expect(planBusBytes(plan)).toBe(32);
  });

  it('an identical image still rewrites one sector so checkMemory has something to verify', () => {
    const plan = planRegion(layout('single'), 0x100, current, current, 'sector-diff');
    expect(planBusBytes(plan)).toBe(16);
  });

  it('auto without a known current image is a full reflash', () => {
    const plan = planRegion(layout('dual'), 0x100, null, next, 'auto');
    expect(plan.method).toBe('full');
    expect(planBusBytes(plan)).toBe(64);
  });

  it('explicit modes the ECU cannot serve are errors, not silent full reflashes', () => {
    expect(() => planRegion(layout('single'), 0x100, null, next, 'sector-diff')).toThrow(TransferPlanError);
    expect(() => planRegion(layout('single'), 0x100, current, next, 'compressed')).toThrow(TransferPlanError);
  });

  it('uses the delta method when the ECU declares it and the base is known', () => {
    const plan = planRegion(
      layout('dual', [
        { id: 0, name: 'none' },
        { id: 1, name: 'delta' },
      ]),
      0x100,
      current,
      next,
      'compressed',
    );
    expect(plan.method).toBe('delta');
    const download = plan.ops.find((o) => o.kind === 'download');
    expect(download).toMatchObject({ dataFormatIdentifier: 0x10, size: 64 });
  });

  it('takes the ECU-side delta from the encoder it is given (the cache), not encoding at flash time', () => {
    const prepared = Uint8Array.of(7, 7, 7);
    const asked: [Uint8Array, Uint8Array][] = [];
    const plan = planRegion(layout('dual', [{ id: 1, name: 'delta' }]), 0x100, current, next, 'compressed', {
      encodeDelta: (base, target) => {
        asked.push([base, target]);
        return prepared;
      },
    });
    expect(asked).toEqual([[current, next]]);
    expect(plan.ops.find((o) => o.kind === 'download')).toMatchObject({ payload: prepared });
  });

  it('a dual-bank ECU that reported eraseOnWrite gets no erase op before a delta; without it, the whole region', () => {
    const methods = [{ id: 1, name: 'delta' }];
    const kinds = (eraseOnWrite: boolean, banks: 'single' | 'dual' = 'dual') =>
      planRegion(layout(banks, methods), 0x100, current, next, 'compressed', { eraseOnWrite }).ops.map((o) => o.kind);
    expect(kinds(true)).toEqual(['download']);
    expect(kinds(false)).toEqual(['erase', 'download']);
    expect(kinds(true, 'single')).toEqual(['download']);
    expect(planRegion(layout('dual'), 0x100, current, next, 'full', { eraseOnWrite: true }).ops[0]?.kind).toBe('erase');
  });

  it('a read-while-write ECU gets the erase before the session: the whole region for a full reflash, the changed sectors before a delta', () => {
    const methods = [
      { id: 0, name: 'none' },
      { id: 1, name: 'delta' },
    ];
    const background = { eraseOnWrite: true, backgroundErase: true };
    const full = planRegion(layout('dual', methods), 0x100, current, next, 'full', background);
    expect(full.background).toEqual([{ address: 0x100, size: 64 }]);
    expect(full.ops.map((o) => o.kind)).toEqual(['download']);
    const delta = planRegion(layout('dual', methods), 0x100, current, next, 'compressed', background);
    expect(delta.background).toEqual([
      { address: 0x110, size: 16 },
      { address: 0x130, size: 16 },
    ]);
    expect(delta.ops.map((o) => o.kind)).toEqual(['download']);
    // A single-bank ECU has no inactive bank; without the capability nothing moves.
    expect(planRegion(layout('single', methods), 0x100, current, next, 'full', background).background).toEqual([]);
    const plain = planRegion(layout('dual', methods), 0x100, current, next, 'full', { eraseOnWrite: true });
    expect([plain.background, plain.ops[0]?.kind]).toEqual([[], 'erase']);
  });
});
