// Fuzzy matching for the search picker, as fzf and Atuin's fuzzy mode: each
// space-separated term of the query must appear in order (not necessarily
// together) in the text. Lower case in a term matches either case; upper case
// only itself (smart case). Higher scores for runs, word starts and a term
// found whole.

const WORD_BREAK = new Set([' ', '/', '-', '_', '.', ':', '=', '|', ';', '(', '"', "'"]);

/** A query term, and whether it is matched case and all (it has upper case). */
export type Term = { text: string; exact: boolean };

/** The score of one term in text (`lower`: text in lower case, computed once by the caller), or -1. */
function termScore(t: Term, text: string, lower: string): number {
  const term = t.text;
  const hay = t.exact ? text : lower;
  // A term found whole scores best; the earliest such place is kept.
  const at = hay.indexOf(term);
  if (at >= 0) return 100 + term.length * 10 + (at === 0 || WORD_BREAK.has(hay[at - 1]) ? 30 : 0) - Math.min(at, 50) / 10;
  let score = 0;
  let pos = -1;
  let run = 0;
  for (let i = 0; i < term.length; i++) {
    const next = hay.indexOf(term[i], pos + 1);
    if (next < 0) return -1;
    run = next === pos + 1 ? run + 1 : 0;
    score += 1 + run * 4 + (next === 0 || WORD_BREAK.has(hay[next - 1]) ? 6 : 0) - Math.min(next - pos - 1, 10) / 5;
    pos = next;
  }
  // Gaps cost, but a match is a match: never below a found term's floor of 1.
  return Math.max(1, score);
}

/** Splits a query into its terms (empty query: no terms, everything matches). */
export function queryTerms(query: string): Term[] {
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((text) => ({ text, exact: text !== text.toLowerCase() }));
}

/**
 * The score of text for the query's terms, or -1 when any term does not
 * match. A caller matching many texts many times passes each one's lower case.
 */
export function fuzzyScore(terms: Term[], text: string, lower = text.toLowerCase()): number {
  let total = 0;
  for (const t of terms) {
    const s = termScore(t, text, lower);
    if (s < 0) return -1;
    total += s;
  }
  return total;
}
