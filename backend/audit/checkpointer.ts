/**
 * Anchors the audit chain outside the database: every `everyEntries` new entries, when entries have
 * waited `intervalMs`, and at shutdown, the backend signs a checkpoint of the chain (see
 * checkpoint.ts) and appends it to the checkpoint file. Someone who can rewrite the tables can
 * recompute the chain, but not the checkpoints already written nor a new signature, so
 * verify-audit finds the rewrite. Before signing, the new entries are recomputed and must continue
 * the last checkpoint: a rewritten log is never signed, it raises an alarm instead.
 *
 * One checkpointer per checkpoint file (several backends sharing a database keep one file each).
 */
import type { Signer } from '@ota/protocol/keys';
import type { Db } from '../db/database.ts';
import { GENESIS, readAuditHead, walkChain } from './chain.ts';
import type { ChainPoint } from './chain.ts';
import { checkpointSignedBy, signCheckpoint } from './checkpoint.ts';
import type { SignedCheckpoint } from './checkpoint.ts';
import { appendCheckpoints, readLatestCheckpoint } from './checkpoint-file.ts';

export type CheckpointOutcome =
  | { readonly kind: 'written'; readonly checkpoints: number; readonly seq: number }
  | { readonly kind: 'up-to-date'; readonly seq: number }
  | { readonly kind: 'refused'; readonly firstBadSeq: number; readonly problem: string };

export interface CheckpointerOptions {
  readonly db: Db;
  readonly signer: Signer;
  readonly file: string;
  readonly everyEntries: number;
  readonly intervalMs: number;
  /** How often the head is looked at (default 1 s, or intervalMs when shorter). */
  readonly pollMs?: number;
  readonly now?: () => Date;
  /** Where refusals go (default console.error): they mean the log was tampered with. */
  readonly alarm?: (line: string) => void;
}

export interface Checkpointer {
  /** Anchors every entry not yet anchored, now. Calls never overlap. */
  checkpointNow(): Promise<CheckpointOutcome>;
  /** The last entry a checkpoint in the file covers (seq 0 before the first). */
  anchored(): ChainPoint;
  /** Stops the timer and writes a last checkpoint. */
  stop(): Promise<CheckpointOutcome>;
}

// At most this many lines are buffered before a write (a first start on a long log writes many).
const LINES_PER_WRITE = 1000;

const pointOf = (c: SignedCheckpoint | null): ChainPoint => (c ? { seq: c.seq, hash: c.headHash } : GENESIS);

async function latestOwnCheckpoint(file: string, signer: Signer): Promise<SignedCheckpoint | null> {
  const publicHex = signer.publicKey.keyval.public;
  const own = await readLatestCheckpoint(file, (c) => checkpointSignedBy(c, publicHex));
  if (own === null && (await readLatestCheckpoint(file)) !== null) {
    throw new Error(
      `${file} holds checkpoints but none signed by this key (${signer.keyId.slice(0, 16)}): ` +
        'after changing the key, move the old file away (keep it for audits) and start a new one',
    );
  }
  return own;
}

export async function startCheckpointer(opts: CheckpointerOptions): Promise<Checkpointer> {
  const now = opts.now ?? (() => new Date());
  const alarm = opts.alarm ?? ((line: string) => console.error(line));
  let anchored = pointOf(await latestOwnCheckpoint(opts.file, opts.signer));
  let lastWriteAt = now().getTime();
  let queue: Promise<unknown> = Promise.resolve();
  let lastAlarm = '';

  const refuse = (firstBadSeq: number, problem: string): CheckpointOutcome => {
    const line = `audit anchoring: NOT signing entry ${firstBadSeq} onwards: ${problem}; run verify-audit`;
    if (line !== lastAlarm) alarm(line);
    lastAlarm = line;
    return { kind: 'refused', firstBadSeq, problem };
  };

  async function anchor(): Promise<CheckpointOutcome> {
    const head = await readAuditHead(opts.db);
    const gone = await anchoredPointGone(opts.db, head.seq, anchored);
    if (gone) return refuse(gone.seq, gone.problem);
    if (head.seq === anchored.seq) return { kind: 'up-to-date', seq: head.seq };
    const { written, broken } = await signUpTo(opts, now, anchored, head.seq, (point) => {
      anchored = point;
      lastWriteAt = now().getTime();
    });
    if (broken) return refuse(broken.seq, broken.problem);
    if (anchored.seq < head.seq)
      return refuse(anchored.seq + 1, `the log ends at ${anchored.seq}, the head says ${head.seq}`);
    return { kind: 'written', checkpoints: written, seq: anchored.seq };
  }

  const checkpointNow = (): Promise<CheckpointOutcome> => {
    const run = queue.then(async () => {
      try {
        return await anchor();
      } catch (error) {
        // A failed write may still have reached the file: continue from what the file says.
        const latest = await latestOwnCheckpoint(opts.file, opts.signer).catch(() => undefined);
        if (latest !== undefined) anchored = pointOf(latest);
        throw error;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const pollMs = Math.min(opts.pollMs ?? 1000, opts.intervalMs);
  const tick = async () => {
    try {
      const head = await readAuditHead(opts.db);
      const waiting = head.seq - anchored.seq;
      const due = waiting >= opts.everyEntries || (waiting !== 0 && now().getTime() - lastWriteAt >= opts.intervalMs);
      if (due && !stopped) await checkpointNow();
    } catch (error) {
      const line = `audit anchoring: checkpoint failed: ${(error as Error).message}`;
      if (line !== lastAlarm) alarm(line);
      lastAlarm = line;
    }
    if (!stopped) timer = setTimeout(() => void tick(), pollMs).unref();
  };
  timer = setTimeout(() => void tick(), pollMs).unref();

  return {
    checkpointNow,
    anchored: () => anchored,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      return checkpointNow();
    },
  };
}

interface ChainBreak {
  seq: number;
  problem: string;
}

/** Why the chain no longer continues the anchored point, if it does not: the head went back, or the entry changed. */
async function anchoredPointGone(db: Db, headSeq: number, anchored: ChainPoint): Promise<ChainBreak | null> {
  if (headSeq < anchored.seq) {
    return { seq: headSeq + 1, problem: `the head is at entry ${headSeq} but entry ${anchored.seq} was anchored` };
  }
  if (anchored.seq === 0) return null;
  const row = await db
    .selectFrom('audit_log')
    .select('hash')
    .where('seq', '=', String(anchored.seq))
    .executeTakeFirst();
  if (row?.hash === anchored.hash) return null;
  return { seq: anchored.seq, problem: `entry ${anchored.seq} no longer has the hash it was anchored with` };
}

/**
 * Recomputes the entries after `anchored` up to `headSeq` and signs them in checkpoints of
 * `everyEntries`, appending LINES_PER_WRITE lines at a time; `onWrite` learns each new anchored
 * point as soon as it is in the file. Stops at the first entry that does not continue the chain.
 */
async function signUpTo(
  opts: CheckpointerOptions,
  now: () => Date,
  anchored: ChainPoint,
  headSeq: number,
  onWrite: (anchored: ChainPoint) => void,
): Promise<{ written: number; broken?: ChainBreak }> {
  let pending: SignedCheckpoint[] = [];
  let written = 0;
  const flush = async () => {
    await appendCheckpoints(opts.file, pending);
    written += pending.length;
    onWrite(pointOf(pending.at(-1) ?? null));
    pending = [];
  };
  let chunk: string[] = [];
  let from = anchored.seq + 1;
  let broken: ChainBreak | undefined;
  for await (const step of walkChain(opts.db, anchored)) {
    if (!step.ok) {
      broken = step;
      break;
    }
    chunk.push(step.hash);
    if (chunk.length === opts.everyEntries || step.seq === headSeq) {
      pending.push(signCheckpoint(opts.signer, { from, seq: step.seq, hashes: chunk, at: now() }));
      from = step.seq + 1;
      chunk = [];
      if (pending.length >= LINES_PER_WRITE) await flush();
    }
    if (step.seq === headSeq) break;
  }
  if (pending.length > 0) await flush();
  return broken ? { written, broken } : { written };
}
