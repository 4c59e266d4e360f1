// The campaign attempts this gateway finished (installed, failed or refused), kept in its state dir so
// a repeated offer is ignored across restarts while a manual retry (a higher attempt) is taken.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../journal/atomic-file.ts';

/**
 * One attempt's key: the bare campaign id for attempt 1 (what files written before attempts existed
 * hold, so they keep meaning the same), `<campaignId>#<attempt>` for a retry.
 */
export function attemptKey(campaignId: string, attempt: number): string {
  return attempt === 1 ? campaignId : `${campaignId}#${attempt}`;
}

export class HandledAttempts {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'handled-campaigns.json');
  }

  private keys(): string[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as string[]) : [];
  }

  has(campaignId: string, attempt: number): boolean {
    return this.keys().includes(attemptKey(campaignId, attempt));
  }

  mark(campaignId: string, attempt: number): void {
    writeFileAtomic(this.file, JSON.stringify([...new Set([...this.keys(), attemptKey(campaignId, attempt)])]));
  }
}
