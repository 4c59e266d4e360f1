// A one-line progress bar on stderr (redrawn in place on a terminal, one line per step otherwise).
import type { FlashProgress } from '../flash/flash-ecu.ts';

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: FlashProgress) => void {
  let lastStep = '';
  let lastDrawn = 0;
  return (p) => {
    const width = 30;
    const filled = Math.round((p.percent / 100) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const line = `${p.ecu} [${bar}] ${p.percent.toFixed(1).padStart(5)}% ${(p.bytesDone / 1024).toFixed(0)}/${(p.bytesTotal / 1024).toFixed(0)} KiB  ${p.step}`;
    if (stream.isTTY) {
      const now = Date.now();
      if (p.step === lastStep && now - lastDrawn < 100 && p.percent < 100) return;
      lastDrawn = now;
      stream.write(`\r${line.padEnd(100)}`);
    } else if (p.step !== lastStep) {
      stream.write(`${line}\n`);
    }
    lastStep = p.step;
  };
}

export function endProgress(stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY) stream.write('\n');
}
