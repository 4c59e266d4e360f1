// The gateway's trusted TUF state of both repositories (`<stateDir>/trust.json`): starts from the provisioned
// root files, advances only after a whole update verified (never on a partial check).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TrustedRepositoryStateSchema, trustRoot, type TrustedRepositoryState } from '@ota/protocol';
import { writeFileAtomic } from '../journal/atomic-file.ts';

const trustSchema = z.strictObject({ image: TrustedRepositoryStateSchema, director: TrustedRepositoryStateSchema });
export type TrustedState = z.infer<typeof trustSchema>;

export class TrustStore {
  constructor(
    private readonly stateDir: string,
    private readonly rootFiles: { image: string; director: string },
  ) {}

  private get file(): string {
    return join(this.stateDir, 'trust.json');
  }

  load(): TrustedState {
    if (existsSync(this.file)) return trustSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    return {
      image: trustRoot('image', readFileSync(this.rootFiles.image)),
      director: trustRoot('director', readFileSync(this.rootFiles.director)),
    };
  }

  save(state: { image: TrustedRepositoryState; director: TrustedRepositoryState }): void {
    writeFileAtomic(this.file, JSON.stringify(state));
  }
}
