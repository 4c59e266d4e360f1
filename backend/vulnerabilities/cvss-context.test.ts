import { describe, expect, it } from 'vitest';
import { assessCvss, withDefaultMetrics } from './cvss.ts';
import { environmentalMetricsFor } from './cvss-context.ts';
import type { EcuContext } from './cvss-context.ts';

const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L';
const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const contextual = (vector: string, ctx: EcuContext) =>
  withDefaultMetrics(vector, environmentalMetricsFor(vector, ctx));

describe('CVSS environmental metrics from the fleet (ASIL, exposure)', () => {
  // Expected environmental scores worked out with the v3.1 specification's formulas (section 7.3):
  // e.g. ASIL D on the internal bus: MISS = 1 - (1-0.22)(1-0.22*1.5)^2 = 0.649858, impact 4.17209,
  // exploitability 8.22*0.62*0.77*0.85*0.85 = 2.83525, Roundup(7.00734) = 7.1.
  it.each([
    [{ asil: 'D', exposure: 'internal_bus' }, `${V31}/IR:H/AR:H/MAV:A`, 7.1, 'high'],
    [{ asil: 'D', exposure: 'connected' }, `${V31}/IR:H/AR:H`, 8.1, 'high'],
    [{ asil: 'B', exposure: 'connected' }, `${V31}/IR:H/AR:M`, 7.7, 'high'],
    [{ asil: 'QM', exposure: 'internal_bus' }, `${V31}/MAV:A`, 6.3, 'medium'],
    [{ asil: 'QM', exposure: 'connected' }, V31, 7.3, 'high'],
    [{ asil: null, exposure: null }, V31, 7.3, 'high'],
  ] as const)('v3.1 %o -> %s = %d', (ctx, vector, score, severity) => {
    const c = contextual(V31, ctx);
    expect(c).toMatchObject({ vector, score, severity });
  });

  it('v3.1: the assessor’s own environmental metrics win over the fleet’s, and the order is the specification’s', () => {
    const c = contextual(`${V31}/E:P/MAV:L/CR:H`, { asil: 'C', exposure: 'internal_bus' });
    expect(c.vector).toBe(`${V31}/E:P/CR:H/IR:H/AR:H/MAV:L`);
    expect(c.version === '3.1' && c.scores.temporal).toBe(assessCvss(`${V31}/E:P`).score);
  });

  it('an internal bus does not raise a vector that is already local or physical', () => {
    expect(
      environmentalMetricsFor('CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', { asil: 'QM', exposure: 'internal_bus' }),
    ).toEqual({});
  });

  it('v4.0: CVSS-BE with MAV:A scoring as the base vector with AV:A would; ASIL adds the Safety value', () => {
    const internal = contextual(V40, { asil: 'QM', exposure: 'internal_bus' });
    expect(internal).toMatchObject({ vector: `${V40}/MAV:A`, nomenclature: 'CVSS-BE' });
    expect(internal.score).toBe(assessCvss(V40.replace('AV:N', 'AV:A')).score);
    expect(internal.score).toBeLessThan(assessCvss(V40).score);
    const safety = contextual(V40, { asil: 'D', exposure: 'internal_bus' });
    expect(safety.vector).toBe(`${V40}/IR:H/AR:H/MAV:A/MSI:S/MSA:S`);
    expect(safety.score).toBeGreaterThan(internal.score);
    // Supplemental metrics stay and never change the score; threat metrics keep the BTE nomenclature.
    const bte = contextual(`${V40}/E:U/S:P`, { asil: 'QM', exposure: 'internal_bus' });
    expect(bte).toMatchObject({ nomenclature: 'CVSS-BTE', score: assessCvss(`${V40}/E:U/MAV:A`).score });
    expect(bte.vector).toMatch(/\/S:P$/);
  });
});
