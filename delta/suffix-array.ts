// Suffix array by induced sorting (SA-IS, Nong, Zhang & Chan 2009): linear time, so the encoder can
// index multi-megabyte images in well under a second.

/** Suffix array of `text`: the start offsets of all suffixes in lexicographic order. */
export function suffixArray(text: Uint8Array): Int32Array {
  return sais(text, 255);
}

type Text = Uint8Array | Int32Array;

/** `s` holds symbols in 0..upper; there is an implicit sentinel after the end, smaller than every symbol. */
function sais(s: Text, upper: number): Int32Array {
  const n = s.length;
  const sa = new Int32Array(n);
  if (n < 2) return sa;
  if (n === 2) {
    if (s[0]! < s[1]!) sa.set([0, 1]);
    else sa.set([1, 0]);
    return sa;
  }
  const isS = suffixTypes(s);
  const induce = inducer(s, sa, isS, upper);
  const { lms, lmsIndex } = lmsPositions(isS);
  induce(lms);
  if (lms.length === 0) return sa;

  const { reduced, sortedLms, maxName } = nameLmsSubstrings(s, sa, lms, lmsIndex);
  // Sort the LMS suffixes by the suffix array of the reduced string, then induce the rest.
  const reducedSa = sais(reduced, maxName);
  for (let i = 0; i < lms.length; i++) sortedLms[i] = lms[reducedSa[i]!]!;
  induce(sortedLms);
  return sa;
}

/** isS[i] = 1 when suffix i is S-type (smaller than suffix i + 1); the last suffix is L-type. */
function suffixTypes(s: Text): Uint8Array {
  const n = s.length;
  const isS = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) {
    const a = s[i]!;
    const b = s[i + 1]!;
    isS[i] = a === b ? isS[i + 1]! : a < b ? 1 : 0;
  }
  return isS;
}

/**
 * Induced sorting into `sa`: place the given LMS suffixes at the ends of their buckets, then induce
 * the L-type suffixes left to right and the S-type ones right to left.
 */
function inducer(s: Text, sa: Int32Array, isS: Uint8Array, upper: number): (lms: Int32Array) => void {
  const n = s.length;
  // bucketL[c]: first slot of bucket c; bucketS[c]: first slot of the S-type part of bucket c.
  const bucketL = new Int32Array(upper + 2);
  const bucketS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (isS[i]) bucketL[s[i]! + 1]!++;
    else bucketS[s[i]!]!++;
  }
  for (let c = 0; c <= upper; c++) {
    bucketS[c]! += bucketL[c]!;
    bucketL[c + 1]! += bucketS[c]!;
  }

  const buf = new Int32Array(upper + 2);
  return (lms) => {
    sa.fill(-1);
    buf.set(bucketS);
    for (let k = 0; k < lms.length; k++) {
      const d = lms[k]!;
      sa[buf[s[d]!]!++] = d;
    }
    buf.set(bucketL);
    sa[buf[s[n - 1]!]!++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i]!;
      if (v >= 1 && !isS[v - 1]) sa[buf[s[v - 1]!]!++] = v - 1;
    }
    buf.set(bucketL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i]!;
      if (v >= 1 && isS[v - 1]) sa[--buf[s[v - 1]! + 1]!] = v - 1;
    }
  };
}

/** LMS positions (S-type suffixes after an L-type one) in text order; lmsIndex[i]: rank of i among them, or -1. */
function lmsPositions(isS: Uint8Array): { lms: Int32Array; lmsIndex: Int32Array } {
  const n = isS.length;
  const lmsIndex = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!isS[i - 1] && isS[i]) lmsIndex[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (!isS[i - 1] && isS[i]) lms[k++] = i;
  return { lms, lmsIndex };
}

/**
 * Names the LMS substrings in their induced order (equal substrings share a name): `reduced` is the
 * string of names in text order, `sortedLms` the LMS positions as induced, `maxName` the largest name.
 */
function nameLmsSubstrings(
  s: Text,
  sa: Int32Array,
  lms: Int32Array,
  lmsIndex: Int32Array,
): { reduced: Int32Array; sortedLms: Int32Array; maxName: number } {
  const n = s.length;
  const m = lms.length;
  const sortedLms = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) {
    const v = sa[i]!;
    if (lmsIndex[v] !== -1) sortedLms[k++] = v;
  }
  const reduced = new Int32Array(m);
  let name = 0;
  reduced[lmsIndex[sortedLms[0]!]!] = 0;
  for (let i = 1; i < m; i++) {
    let l = sortedLms[i - 1]!;
    let r = sortedLms[i]!;
    const endL = lmsIndex[l]! + 1 < m ? lms[lmsIndex[l]! + 1]! : n;
    const endR = lmsIndex[r]! + 1 < m ? lms[lmsIndex[r]! + 1]! : n;
    let same = endL - l === endR - r;
    if (same) {
      while (l < endL && s[l] === s[r]) {
        l++;
        r++;
      }
      if (l === n || s[l] !== s[r]) same = false;
    }
    if (!same) name++;
    reduced[lmsIndex[sortedLms[i]!]!] = name;
  }
  return { reduced, sortedLms, maxName: name };
}
