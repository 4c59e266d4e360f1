import { describe, expect, it } from 'vitest';
import { VEHICLE_CAMPAIGN_STATES } from './types.ts';
import type { VehicleCampaignState } from './types.ts';
import {
  ACTIVE_VEHICLE_STATES,
  CAMPAIGN_ACTION_RULES,
  TERMINAL_VEHICLE_STATES,
  VEHICLE_STATE_RANK,
  VEHICLE_TRANSITIONS,
} from './states.ts';
import { csvCell } from './evidence.ts';

describe('campaign state tables', () => {
  it('lets cancel start from every state before completed, and nothing leave completed or cancelled', () => {
    expect(CAMPAIGN_ACTION_RULES.cancel.from).toEqual(['draft', 'pending_approval', 'approved', 'running', 'paused']);
    for (const rule of Object.values(CAMPAIGN_ACTION_RULES)) {
      expect(rule.from).not.toContain('completed');
      expect(rule.from).not.toContain('cancelled');
    }
  });

  it('has no move out of a terminal vehicle state and only forward moves otherwise', () => {
    for (const state of VEHICLE_CAMPAIGN_STATES) {
      const next = VEHICLE_TRANSITIONS[state];
      if (TERMINAL_VEHICLE_STATES.includes(state)) expect(next, state).toEqual([]);
      for (const to of next)
        expect(VEHICLE_STATE_RANK[to], `${state} -> ${to}`).toBeGreaterThan(VEHICLE_STATE_RANK[state]);
    }
    expect(VEHICLE_TRANSITIONS.installing).toEqual(['succeeded', 'failed', 'rolled_back', 'rollback_failed']);
    expect(VEHICLE_TRANSITIONS.pending).not.toContain('succeeded');
  });

  it('derives the final and the active states from the moves', () => {
    const final = (state: VehicleCampaignState) => VEHICLE_STATE_RANK[state] === 5;
    expect(TERMINAL_VEHICLE_STATES).toEqual(VEHICLE_CAMPAIGN_STATES.filter(final));
    expect(TERMINAL_VEHICLE_STATES).toContain('expired');
    expect(ACTIVE_VEHICLE_STATES).toEqual(['pending', 'offered', 'downloading', 'downloaded', 'installing']);
  });
});

describe('csvCell', () => {
  it('quotes separators and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
  });
});
