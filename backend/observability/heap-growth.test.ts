import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const heapGrowth = fileURLToPath(new URL('./heap-growth.ts', import.meta.url));

/**
 * A child process that keeps ~40 MB live (replaced piece by piece) while it allocates short- and
 * medium-lived garbage fast, like delivery does: its peak committed heap over its live size.
 */
function peakOverLive(percent: number): number {
  const script = `
    import { limitHeapGrowth } from ${JSON.stringify(heapGrowth)};
    limitHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < 400; i++) live.push(new Array(12_000).fill(i));
    let peak = 0;
    for (let round = 0; round < 1500; round++) {
      const medium = [];
      for (let j = 0; j < 2000; j++) medium.push({ j, s: 'v' + j, pair: [j, round] });
      live[round % 400] = new Array(12_000).fill(medium[round % 2000]);
      peak = Math.max(peak, process.memoryUsage().heapTotal);
      if (round % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    globalThis.gc();
    // live is read after the collection, so it is still live in it.
    console.log(peak / process.memoryUsage().heapUsed, live.length);`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return Number(out.trim().split(' ')[0]);
}

describe('limitHeapGrowth', () => {
  it("keeps the heap's peak near its live size where V8 alone lets it grow several times over", () => {
    const limited = peakOverLive(50);
    const v8Default = peakOverLive(0);
    // Peak committed heap over live size: about 3 at 50 % (the young generation and V8's minimum step
    // count too) against 5-6 left to V8 on a machine with much memory.
    expect(limited).toBeLessThan(v8Default * 0.75);
  }, 120_000);
});
