import { describe, expect, it } from 'vitest';
import { isAffected } from './affected.ts';
import type { AffectedSpec } from './affected.ts';
import { compareDeb, compareSemver } from './versions.ts';

const spec = (s: Partial<AffectedSpec>): AffectedSpec => ({ ranges: [], versions: [], fixed: [], ...s });

describe('OSV range evaluation', () => {
  it('introduced/fixed: affected from introduced up to, not including, fixed', () => {
    const s = spec({ ranges: [[{ introduced: '1.2.0' }, { fixed: '1.4.2' }]] });
    const hits = ['1.1.9', '1.2.0', '1.3.0', '1.4.2-rc.1', '1.4.2', '2.0.0'].filter((v) =>
      isAffected(s, v, compareSemver),
    );
    expect(hits).toEqual(['1.2.0', '1.3.0', '1.4.2-rc.1']);
  });

  it('last_affected includes its own version; introduced 0 is before everything', () => {
    const s = spec({ ranges: [[{ introduced: '0' }, { last_affected: '2.0.0' }]] });
    expect(['0.0.1', '2.0.0', '2.0.1'].map((v) => isAffected(s, v, compareSemver))).toEqual([true, true, false]);
  });

  it('several introduced/fixed pairs in one range, given out of order', () => {
    const s = spec({
      ranges: [[{ fixed: '1.5.0' }, { introduced: '2.0.0' }, { introduced: '1.0.0' }, { fixed: '2.1.0' }]],
    });
    const hits = ['0.9.0', '1.0.0', '1.4.9', '1.5.0', '1.9.0', '2.0.0', '2.0.9', '2.1.0'].filter((v) =>
      isAffected(s, v, compareSemver),
    );
    expect(hits).toEqual(['1.0.0', '1.4.9', '2.0.0', '2.0.9']);
  });

  it('limit bounds the range from above', () => {
    const s = spec({ ranges: [[{ introduced: '1.0.0' }, { limit: '1.3.0' }]] });
    expect(['1.0.0', '1.2.9', '1.3.0', '5.0.0'].map((v) => isAffected(s, v, compareSemver))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('Debian order: a ~deb12u security update fixes, a version before it with ~ is still affected', () => {
    const s = spec({ ranges: [[{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]] });
    const versions = ['3.0.11-1~deb12u1', '3.0.11-1~deb12u2', '3.0.11-1', '3.0.9-1', '1:1.0-1', '3.0.11~rc1-1'];
    expect(versions.filter((v) => isAffected(s, v, compareDeb))).toEqual([
      '3.0.11-1~deb12u1',
      '3.0.9-1',
      '3.0.11~rc1-1',
    ]);
  });

  it('explicit version lists; fixed wins over everything', () => {
    const s = spec({ versions: ['1.0.0', '1.0.1'], fixed: ['1.0.1'], ranges: [[{ introduced: '0' }]] });
    expect(['1.0.0', '1.0.1', '9.9.9'].map((v) => isAffected(s, v, compareSemver))).toEqual([true, false, true]);
    expect(isAffected(spec({ versions: ['2.36.1-8+deb11u1'] }), '2.36.1-8+deb11u1', compareDeb)).toBe(true);
    expect(isAffected(spec({ versions: ['2.36.1-8+deb11u1'] }), '2.36.1-8+deb11u2', compareDeb)).toBe(false);
  });
});
