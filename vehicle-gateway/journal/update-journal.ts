// Where the current update's record lives: `<stateDir>/update.json`, replaced atomically at every step;
// finished and reported updates move to `<stateDir>/updates/<id>.json`. An `onSaved` hook lets tests stop the
// gateway right after any journal write, as a kill at that moment would.
import { existsSync, readFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { updateRecordSchema, type UpdateRecord } from './update-record.ts';

export class JournalError extends Error {
  override readonly name = 'JournalError';
}

/** Thrown by an onSaved hook to stop the gateway at a journal point (tests). */
export class JournalAbort extends Error {
  override readonly name = 'JournalAbort';
}

export class UpdateJournal {
  /** Number of writes since this journal object was created. */
  writes = 0;

  constructor(
    readonly stateDir: string,
    private readonly onSaved?: (record: UpdateRecord, write: number) => void,
  ) {}

  private get file(): string {
    return join(this.stateDir, 'update.json');
  }

  save(record: UpdateRecord): void {
    writeFileAtomic(this.file, `${JSON.stringify(record, null, 1)}\n`);
    this.writes++;
    try {
      this.onSaved?.(record, this.writes);
    } catch (err) {
      throw err instanceof JournalAbort ? err : new JournalAbort(String(err));
    }
  }

  /** The unfinished or unreported update, if any. */
  current(): UpdateRecord | null {
    if (!existsSync(this.file)) return null;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new JournalError(`${this.file} is not JSON: ${(err as Error).message}`);
    }
    const parsed = updateRecordSchema.safeParse(json);
    if (!parsed.success) throw new JournalError(`${this.file} is not an update record: ${parsed.error.message}`);
    return parsed.data;
  }

  /** Moves a finished, reported update out of the way (kept for evidence). */
  archive(record: UpdateRecord): void {
    if (record.phase !== 'finished' || !record.reported)
      throw new JournalError('only a finished, reported update is archived');
    const dir = join(this.stateDir, 'updates');
    mkdirSync(dir, { recursive: true });
    renameSync(this.file, join(dir, `${record.updateId.replace(/[^\w.-]/g, '_')}.json`));
  }

  archived(updateId: string): UpdateRecord | null {
    const file = join(this.stateDir, 'updates', `${updateId.replace(/[^\w.-]/g, '_')}.json`);
    if (!existsSync(file)) return null;
    return updateRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  }
}
