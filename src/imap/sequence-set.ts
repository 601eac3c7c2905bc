// Message sets (RFC 3501 §9 sequence-set, RFC 9051 §9): "1,3:5,7:*", and "$" for the
// saved search result (RFC 5182 SEARCHRES). "*" means the largest number in use; a
// range "a:b" is the same as "b:a". Sets are resolved against a mailbox view only when
// a command runs, because "*" depends on the view.

/** Stands for "*" inside a parsed range. */
export const STAR = 0;

export type SequenceSet = { kind: 'ranges'; ranges: readonly (readonly [number, number])[] } | { kind: 'saved' };

/** Parses a sequence set from text; null when it is not one. */
export function parseSequenceSet(text: string): SequenceSet | null {
  if (text === '$') return { kind: 'saved' };
  if (text === '' || text.length > 1_000_000) return null;
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    const a = parseSeqNumber(colon < 0 ? part : part.slice(0, colon));
    const b = colon < 0 ? a : parseSeqNumber(part.slice(colon + 1));
    if (a === null || b === null) return null;
    ranges.push([a, b]);
  }
  return { kind: 'ranges', ranges };
}

function parseSeqNumber(text: string): number | null {
  if (text === '*') return STAR;
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffffffff ? n : null;
}

/**
 * Sorted, merged, inclusive [from, to] ranges with "*" replaced by `largest`. When the
 * mailbox is empty (largest 0) "*" still stands for a number no message has.
 */
export function resolveRanges(set: { ranges: readonly (readonly [number, number])[] }, largest: number): [number, number][] {
  const star = largest === 0 ? 0xffffffff : largest;
  const out: [number, number][] = [];
  for (const [a0, b0] of set.ranges) {
    const a = a0 === STAR ? star : a0;
    const b = b0 === STAR ? star : b0;
    out.push(a <= b ? [a, b] : [b, a]);
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const range of out) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Whether n lies in sorted merged ranges (binary search). */
export function inRanges(ranges: readonly (readonly [number, number])[], n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Compact text of ascending numbers: [1,2,3,7,9,10] → "1:3,7,9:10" (UIDPLUS, ESEARCH, VANISHED). */
export function formatNumberSet(numbers: Iterable<number>): string {
  const parts: string[] = [];
  let start = -1;
  let prev = -1;
  for (const n of numbers) {
    if (start >= 0 && n === prev + 1) {
      prev = n;
      continue;
    }
    if (start >= 0) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = n;
    prev = n;
  }
  if (start >= 0) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
  return parts.join(',');
}

/** Every number of a resolved set, ascending (for small explicit sets only). */
export function* numbersOf(ranges: readonly (readonly [number, number])[]): Generator<number> {
  for (const [a, b] of ranges) for (let n = a; n <= b; n++) yield n;
}
