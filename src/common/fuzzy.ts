// Fuzzy matching for the search picker, as fzf and Atuin's fuzzy mode: each
// space-separated term of the query must appear in order (not necessarily
// together) in the text. Lower case in a term matches either case; upper case
// only itself (smart case). Higher scores for runs, word starts and a term
// found whole.

const WORD_BREAK = new Set([' ', '/', '-', '_', '.', ':', '=', '|', ';', '(', '"', "'"]);

/** The score of one term in text, or -1 when it does not match. */
function termScore(term: string, text: string): number {
  const exact = term !== term.toLowerCase();
  const hay = exact ? text : text.toLowerCase();
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
export function queryTerms(query: string): string[] {
  return query.split(/\s+/).filter(Boolean);
}

/** The score of text for the query's terms, or -1 when any term does not match. */
export function fuzzyScore(terms: string[], text: string): number {
  let total = 0;
  for (const t of terms) {
    const s = termScore(t, text);
    if (s < 0) return -1;
    total += s;
  }
  return total;
}
