import { describe, expect, it } from 'vitest';
import { OPEN_PHASES } from './phases.ts';

describe('vulnerability phases', () => {
  it('counts every phase but the final closed and rejected as open', () => {
    expect(OPEN_PHASES).toEqual(['received', 'reviewing', 'needs_info', 'assessing', 'addressing', 'disclosed']);
  });
});
