// The polling helper: undefined and false mean "not yet", anything else is the answer.
import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('polls past undefined and false and returns the first other value', async () => {
    const answers = [undefined, false, 0, 1];
    let calls = 0;
    expect(await waitFor('a number', async () => answers[calls++], 5_000, undefined, 1)).toBe(0);
    expect(calls).toBe(3);
  });

  it('fails naming what it waited for and the last state seen', async () => {
    await expect(
      waitFor(
        'the moon',
        async () => false,
        0,
        () => 'last: new moon',
        1,
      ),
    ).rejects.toThrow('timed out after 0 ms waiting for the moon. last: new moon');
  });
});
