// The LZMA model (the LZMA SDK's lzma-specification.txt): which adaptive probability codes each
// decision of a stream. It is written once, over a BitCoder, so the decoder (which reads each bit)
// and the replaying encoder (which writes it) walk the same probabilities in the same order: the
// range coder's output is then a function of the decisions alone, and replaying a stream's
// decisions gives its bytes back exactly, whatever match finder first chose them.

export interface BitCoder {
  /** Codes `bit` with probability probs[i] and returns the bit coded (a decoder ignores `bit`). */
  bit(probs: Uint16Array, i: number, bit: number): number;
  /** Codes the low `count` bits of `value` at probability one half, most significant first. */
  direct(count: number, value: number): number;
}

const POS_STATES = 16;
const LEN_CODER = 2 + 2 * POS_STATES * 8 + 256;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + 12 * POS_STATES;
const IS_REP_G0 = IS_REP + 12;
const IS_REP_G1 = IS_REP_G0 + 12;
const IS_REP_G2 = IS_REP_G1 + 12;
const IS_REP0_LONG = IS_REP_G2 + 12;
const POS_SLOT = IS_REP0_LONG + 12 * POS_STATES;
/** Reverse bit trees of the distances with slots 4..13: 1 + 128 - 14 probabilities. */
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + 115;
const LEN = ALIGN + 16;
const REP_LEN = LEN + LEN_CODER;
const LITERAL = REP_LEN + LEN_CODER;
const PROB_INIT = 1024;

/** Lengths of matches and reps: 2..273. */
export const MIN_MATCH = 2;
export const MAX_MATCH = 273;
/** The distance an end marker codes. */
export const END_MARKER = 0xffff_ffff;

export interface LzmaProperties {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
}

/** The adaptive state of one stream: probabilities, the state machine and the four rep distances. */
export class LzmaModel {
  readonly probs: Uint16Array;
  state = 0;
  readonly reps = [0, 0, 0, 0];
  private readonly lc: number;
  private readonly lpMask: number;
  readonly pbMask: number;

  constructor(p: LzmaProperties) {
    this.probs = new Uint16Array(LITERAL + (0x300 << (p.lc + p.lp))).fill(PROB_INIT);
    this.lc = p.lc;
    this.lpMask = (1 << p.lp) - 1;
    this.pbMask = (1 << p.pb) - 1;
  }

  /** Is the next packet a match (1) or a literal (0)? */
  isMatch(c: BitCoder, posState: number, bit: number): number {
    return c.bit(this.probs, IS_MATCH + (this.state << 4) + posState, bit);
  }

  isRep(c: BitCoder, bit: number): number {
    return c.bit(this.probs, IS_REP + this.state, bit);
  }

  isRepG0(c: BitCoder, bit: number): number {
    return c.bit(this.probs, IS_REP_G0 + this.state, bit);
  }

  isRepG1(c: BitCoder, bit: number): number {
    return c.bit(this.probs, IS_REP_G1 + this.state, bit);
  }

  isRepG2(c: BitCoder, bit: number): number {
    return c.bit(this.probs, IS_REP_G2 + this.state, bit);
  }

  isRep0Long(c: BitCoder, posState: number, bit: number): number {
    return c.bit(this.probs, IS_REP0_LONG + (this.state << 4) + posState, bit);
  }

  /**
   * A literal at `pos`: plain after a literal, coded against the byte at rep0 (`matchByte`) right
   * after a match or rep. Updates the state.
   */
  literal(c: BitCoder, pos: number, prevByte: number, matchByte: number, byte: number): number {
    const base = LITERAL + 0x300 * (((pos & this.lpMask) << this.lc) + (prevByte >>> (8 - this.lc)));
    let m = 1;
    if (this.state >= 7) {
      for (let i = 7; i >= 0; i--) {
        const matchBit = (matchByte >>> i) & 1;
        const b = c.bit(this.probs, base + 0x100 + (matchBit << 8) + m, (byte >>> i) & 1);
        m = (m << 1) | b;
        if (b !== matchBit) {
          for (i--; i >= 0; i--) m = (m << 1) | c.bit(this.probs, base + m, (byte >>> i) & 1);
          break;
        }
      }
    } else {
      for (let i = 7; i >= 0; i--) m = (m << 1) | c.bit(this.probs, base + m, (byte >>> i) & 1);
    }
    const s = this.state;
    this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
    return m - 0x100;
  }

  /** A match's length, 2..273 (the rep lengths have a coder of their own). */
  matchLength(c: BitCoder, posState: number, len: number): number {
    return MIN_MATCH + lengthTree(c, this.probs, LEN, posState, len - MIN_MATCH);
  }

  repLength(c: BitCoder, posState: number, len: number): number {
    return MIN_MATCH + lengthTree(c, this.probs, REP_LEN, posState, len - MIN_MATCH);
  }

  /** A match's distance less one (the value rep0 holds), coded in the context of its length. */
  distance(c: BitCoder, len: number, dist: number): number {
    const lenState = Math.min(len - MIN_MATCH, 3);
    const slot = tree(c, this.probs, POS_SLOT + lenState * 64, 6, dist < 4 ? dist : slotOf(dist));
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    const base = (2 | (slot & 1)) * 2 ** directBits;
    const rest = dist - base;
    if (slot < 14) return base + reverseTree(c, this.probs, SPEC_POS + base - slot, directBits, rest);
    const high = c.direct(directBits - 4, Math.floor(rest / 16));
    return base + high * 16 + reverseTree(c, this.probs, ALIGN, 4, rest & 15);
  }

  afterMatch(): void {
    this.state = this.state < 7 ? 7 : 10;
  }

  afterRep(): void {
    this.state = this.state < 7 ? 8 : 11;
  }

  afterShortRep(): void {
    this.state = this.state < 7 ? 9 : 11;
  }
}

/** The distance slot: twice the top bit's index plus the bit below it (dist >= 4). */
function slotOf(dist: number): number {
  const top = 31 - Math.clz32(dist);
  return (top << 1) | ((dist >>> (top - 1)) & 1);
}

function lengthTree(c: BitCoder, probs: Uint16Array, base: number, posState: number, len: number): number {
  if (c.bit(probs, base, len >= 8 ? 1 : 0) === 0) return tree(c, probs, base + 2 + posState * 8, 3, len);
  if (c.bit(probs, base + 1, len >= 16 ? 1 : 0) === 0) {
    return 8 + tree(c, probs, base + 2 + POS_STATES * 8 + posState * 8, 3, len - 8);
  }
  return 16 + tree(c, probs, base + 2 + 2 * POS_STATES * 8, 8, len - 16);
}

/** `bits` bits of `value`, most significant first, through the tree at probs[base + 1..]. */
function tree(c: BitCoder, probs: Uint16Array, base: number, bits: number, value: number): number {
  let m = 1;
  for (let i = bits - 1; i >= 0; i--) m = (m << 1) | c.bit(probs, base + m, (value >>> i) & 1);
  return m - (1 << bits);
}

/** The same, least significant bit first. */
function reverseTree(c: BitCoder, probs: Uint16Array, base: number, bits: number, value: number): number {
  let m = 1;
  let symbol = 0;
  for (let i = 0; i < bits; i++) {
    const b = c.bit(probs, base + m, (value >>> i) & 1);
    m = (m << 1) | b;
    symbol |= b << i;
  }
  return symbol;
}
