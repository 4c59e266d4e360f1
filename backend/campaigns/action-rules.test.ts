import { describe, expect, it } from 'vitest';
import { checkMove } from '../audit/audited-change.ts';
import { ProblemError } from '../http/problem.ts';
import { campaignMove, checkFourEyes, checkNothingInFlight } from './action-rules.ts';

const problem = (f: () => void): ProblemError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('no problem thrown');
};

describe('campaign action rules', () => {
  it('moves an action from a state it may start from, and refuses it elsewhere naming the legal states', () => {
    expect(campaignMove(4, 'start', 'approved')).toMatchObject({ from: 'approved', to: 'running', legal: true });
    const move = campaignMove(4, 'approve', 'draft');
    expect(move).toMatchObject({ from: 'draft', to: 'approved', legal: false });
    const refused = problem(() => checkMove(move));
    expect(refused.status).toBe(409);
    expect(refused.message).toBe(
      'campaign 4 cannot go from draft to approved: approve is allowed from pending_approval',
    );
  });

  it('refuses the creator as approver, and lets anyone else approve', () => {
    expect(problem(() => checkFourEyes(4, { userId: 7, name: 'maria' }, 7)).status).toBe(403);
    expect(() => checkFourEyes(4, { userId: 8, name: 'jon' }, 7)).not.toThrow();
  });

  it('completes only with no vehicle in flight', () => {
    expect(problem(() => checkNothingInFlight(4, 'running', 1)).message).toBe(
      'campaign 4 cannot go from running to completed: 1 vehicles are still installing',
    );
    expect(() => checkNothingInFlight(4, 'running', 0)).not.toThrow();
  });
});
