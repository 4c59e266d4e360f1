import { describe, expect, it } from 'vitest';
import { DependencyError, dependencyOrder } from './dependency-order.ts';

describe('dependencyOrder', () => {
  it('keeps the given order unless a dependency says otherwise', () => {
    expect(
      dependencyOrder([
        { ecu: 'a', dependsOn: [] },
        { ecu: 'b', dependsOn: [] },
      ]),
    ).toEqual(['a', 'b']);
    expect(
      dependencyOrder([
        { ecu: 'a', dependsOn: ['c'] },
        { ecu: 'b', dependsOn: [] },
        { ecu: 'c', dependsOn: ['b'] },
      ]),
    ).toEqual(['b', 'c', 'a']);
  });

  it('refuses cycles and unknown dependencies', () => {
    expect(() =>
      dependencyOrder([
        { ecu: 'a', dependsOn: ['b'] },
        { ecu: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle: a -> b -> a/);
    expect(() => dependencyOrder([{ ecu: 'a', dependsOn: ['x'] }])).toThrow(DependencyError);
  });
});
