/**
 * Verification of the audit log against what the database cannot rewrite: the signed checkpoints
 * (checkpoint.ts, written by checkpointer.ts) and heads printed earlier, e.g. by an evidence export.
 * The chain is recomputed from entry 1; each entry a checkpoint covers must have the hash it was
 * signed with, every checkpoint's entries must still be there, the entries after the latest
 * checkpoint must chain on from it, and the head row must end the chain.
 */
import type { Db } from '../db/database.ts';
import { appendOnlyTriggerProblems } from './append-only-triggers.ts';
import { GENESIS, readAuditHead, walkChain } from './chain.ts';
import type { ChainPoint } from './chain.ts';
import { checkpointSignedBy, digestOf } from './checkpoint.ts';
import type { SignedCheckpoint } from './checkpoint.ts';
import { readCheckpointLines } from './checkpoint-file.ts';
import type { ExpectedHead } from './expected-head.ts';

export interface AnchorOptions {
  readonly checkpointFile: string;
  /** The checkpoint key's public key, 64 hex digits; never taken from the checkpoint file. */
  readonly publicKeyHex: string;
  readonly expectHeads?: readonly ExpectedHead[];
}

export interface AnchorSummary {
  /** Entries that chain correctly from entry 1 (all of them when ok). */
  readonly entries: number;
  readonly head: ChainPoint;
  readonly latestCheckpoint: SignedCheckpoint | null;
  readonly checkpoints: number;
  /** Lines a crash cut short (not JSON); they anchor nothing and hide nothing. */
  readonly tornLines: number;
  readonly expectedHeadsMatched: number;
}

export type AnchoredVerification =
  | { readonly ok: true; readonly summary: AnchorSummary }
  | {
      readonly ok: false;
      /** The first entry that is not what was anchored; null when the problem is not an entry's. */
      readonly firstBadSeq: number | null;
      /** The first problem explains firstBadSeq; the others follow. */
      readonly problems: readonly string[];
      readonly summary: AnchorSummary;
    };

/** The file's valid checkpoints in order; anything else in it becomes a problem. */
async function* validCheckpoints(
  file: string,
  publicKeyHex: string,
  problems: string[],
  counts: { torn: number },
): AsyncGenerator<SignedCheckpoint> {
  let previousSeq = 0;
  for await (const { lineNo, parsed } of readCheckpointLines(file)) {
    if (parsed.kind === 'torn') {
      counts.torn += 1;
      continue;
    }
    const where = `${file} line ${lineNo}`;
    if (parsed.kind === 'invalid') {
      problems.push(`${where} is not a checkpoint (${parsed.problem})`);
      continue;
    }
    const c = parsed.checkpoint;
    if (!checkpointSignedBy(c, publicKeyHex)) {
      problems.push(`${where} (entries ${c.from}..${c.seq}) is not signed by the checkpoint key: forged or altered`);
      continue;
    }
    if (c.from !== previousSeq + 1) {
      problems.push(`${where} covers entries ${c.from}..${c.seq} but the previous checkpoint ended at ${previousSeq}`);
      continue;
    }
    previousSeq = c.seq;
    yield c;
  }
}

export async function verifyAnchoredAudit(db: Db, opts: AnchorOptions): Promise<AnchoredVerification> {
  const fileProblems: string[] = [];
  const counts = { torn: 0 };
  const anchors = validCheckpoints(opts.checkpointFile, opts.publicKeyHex, fileProblems, counts);
  const expected = [...(opts.expectHeads ?? [])].sort((a, b) => a.seq - b.seq);
  let anchor = (await anchors.next()).value ?? null;
  let latest: SignedCheckpoint | null = null;
  let checkpoints = 0;
  let matched = 0;
  let provenThrough = 0;
  let last: ChainPoint = GENESIS;
  let bad: ChainBreak | undefined;

  walk: for await (const step of walkChain(db)) {
    if (!step.ok) {
      bad = step;
      break;
    }
    if (anchor && step.seq >= anchor.from) {
      const signedAt = `checkpoint ${anchor.seq} signed ${anchor.at}`;
      if (!coveredAsSigned(step, anchor)) {
        bad = {
          seq: step.seq,
          problem: `entry ${step.seq} is not the entry ${signedAt} covers: the log was rewritten from here`,
        };
        break;
      }
      provenThrough = step.seq;
      if (step.seq === anchor.seq) {
        latest = anchor;
        checkpoints += 1;
        anchor = (await anchors.next()).value ?? null;
      }
    }
    for (; expected[0]?.seq === step.seq; expected.shift()) {
      if (expected[0].hash !== step.hash) {
        bad = {
          seq: Math.min(step.seq, provenThrough + 1),
          problem: `entry ${step.seq} does not have the expected head hash ${expected[0].hash}: the log was rewritten at or after entry ${provenThrough + 1}`,
        };
        break walk;
      }
      matched += 1;
    }
    last = step;
  }

  const head = await readAuditHead(db);
  bad ??= endOfLogProblem(last, anchor, expected[0], head);
  // Read the file to its end, so that its problems (a forged line, say) are reported too.
  while (!(await anchors.next()).done);
  if (latest === null && last.seq > 0 && !bad) {
    fileProblems.unshift(
      `no valid signed checkpoint in ${opts.checkpointFile}: nothing anchors the ${last.seq} entries`,
    );
  }
  const problems = [...(bad ? [bad.problem] : []), ...fileProblems, ...(await appendOnlyTriggerProblems(db))];
  const summary: AnchorSummary = {
    entries: last.seq,
    head,
    latestCheckpoint: latest,
    checkpoints,
    tornLines: counts.torn,
    expectedHeadsMatched: matched,
  };
  if (problems.length === 0) return { ok: true, summary };
  return { ok: false, firstBadSeq: bad?.seq ?? null, problems, summary };
}

interface ChainBreak {
  seq: number;
  problem: string;
}

/** The entry is the one the checkpoint signed: its digest, and at the checkpoint's end its hash. */
function coveredAsSigned(step: ChainPoint, anchor: SignedCheckpoint): boolean {
  if (digestOf(step.hash) !== anchor.digests[step.seq - anchor.from]) return false;
  return step.seq !== anchor.seq || step.hash === anchor.headHash;
}

/**
 * What is wrong at the end of the log, if anything: entries a checkpoint covers or an expected head
 * names are missing, or the head row does not record the chain's last entry.
 */
function endOfLogProblem(
  last: ChainPoint,
  anchor: SignedCheckpoint | null,
  expected: ExpectedHead | undefined,
  head: ChainPoint,
): ChainBreak | undefined {
  if (anchor) {
    return {
      seq: last.seq + 1,
      problem: `entries ${last.seq + 1}..${anchor.seq} are missing, yet checkpoint ${anchor.seq} signed ${anchor.at} covers them`,
    };
  }
  if (expected) {
    return {
      seq: last.seq + 1,
      problem: `entry ${expected.seq} (an expected head) is missing: the log ends at ${last.seq}`,
    };
  }
  if (head.seq !== last.seq || head.hash !== last.hash) {
    return {
      seq: Math.min(head.seq, last.seq) + 1,
      problem: `the log ends at entry ${last.seq} but the head row records entry ${head.seq}`,
    };
  }
  return undefined;
}
