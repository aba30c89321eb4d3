// Secret redaction, applied to command lines and output before anything is
// stored. Unlike Atuin (which drops such commands), the command stays in the
// trail with the secret replaced, so the work is still findable.
import { RE2JS } from 're2js';
import { skipEscape, stripAnsi } from './ansi.js';

/**
 * A built-in pattern is a JavaScript RegExp (written here, checked not to
 * backtrack badly); a user's pattern from config runs on RE2JS, whose time is
 * linear in the text whatever the pattern (`(a+)+$` included).
 */
export type SecretPattern = { name: string; re: RegExp; keep?: number; hint?: string[]; guard?: string[] } | { name: string; re2: RE2JS };

// `keep` is the capture group to keep (e.g. the `password=` part of an
// assignment). `hint`: literals (lowercase ASCII, matched in any case) of
// which every match holds one, on one line with the match's start. The
// hints of all patterns are looked for at once, and the patterns are tried
// only on the lines around what is found: each pattern tried at every
// position of the text cost 9 ns a byte in all, more than storing the text
// (for a service printing 150 MB/s); the hints, about one (natively).
// `guard`, for a pattern without hints: literals of which every match holds
// one somewhere (a private key's match spans many lines, so the windows
// around hints would not hold it): a text without any hint or guard of any
// pattern has no secret to find (allGuarded).
const KEYWORDS = ['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'accesskey', 'access_key', 'access-key'];
/**
 * A private key's pieces, as regular-expression source: its header, its END
 * line, and a line of its body (base64, a `Proc-Type: …` header, or blank).
 * The private-key pattern is made of them, and so is the log writer's
 * following of a key written across chunks (daemon/log-chunk.ts).
 */
export const KEY_PARTS = {
  begin: '-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----',
  end: '-----END[A-Z0-9 ]*PRIVATE KEY-----',
  body: '[ \\t]*(?:[A-Za-z0-9+/=]+|[A-Za-z-]+:[^\\n]*)?[ \\t\\r]*',
};
export const DEFAULT_PATTERNS: SecretPattern[] = [
  { name: 'aws-access-key-id', hint: ['a3t', 'akia', 'asia', 'abia', 'acca'], re: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g },
  { name: 'aws-secret', hint: ['aws_secret_access_key'], re: /(aws_secret_access_key\s*[=:]\s*["']?)([A-Za-z0-9/+=]{40})/gi, keep: 1 },
  { name: 'github-token', hint: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], re: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,})\b/g },
  { name: 'github-pat', hint: ['github_pat_'], re: /\b(github_pat_[A-Za-z0-9_]{22,})\b/g },
  { name: 'gitlab-pat', hint: ['glpat-'], re: /\b(glpat-[A-Za-z0-9_-]{20,})\b/g },
  { name: 'slack-token', hint: ['xoxb-', 'xoxp-', 'xoxo-', 'xoxa-', 'xoxs-'], re: /\b(xox[bpoas]-[A-Za-z0-9-]{10,})\b/g },
  { name: 'slack-webhook', hint: ['hooks.slack.com'], re: /(https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9+/]{20,})/g },
  { name: 'stripe-key', hint: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'], re: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b/g },
  { name: 'npm-token', hint: ['npm_'], re: /\b(npm_[A-Za-z0-9]{36})\b/g },
  { name: 'netlify-token', hint: ['nfp_'], re: /\b(nfp_[A-Za-z0-9]{36,})\b/g },
  { name: 'pulumi-token', hint: ['pul-'], re: /\b(pul-[a-f0-9]{40})\b/g },
  {
    name: 'private-key',
    guard: ['-----begin'],
    // The header stays; then the rest of its line (a key inside a JSON string ends there), and the
    // lines that look like a key's body (base64, `Proc-Type: …` headers, blank), through the END line.
    // A line that is not a key's ends it: a mere mention of the header no longer takes all that follows.
    re: new RegExp(`(${KEY_PARTS.begin})(?:[^\\n]*?${KEY_PARTS.end}|[^\\n]*(?:\\n${KEY_PARTS.body}(?=\\n|$))*(?:\\n[ \\t]*${KEY_PARTS.end})?)`, 'g'),
    keep: 1,
  },
  {
    // password=..., TOKEN: ..., "api_key": "...", MY_SECRET=...
    name: 'assignment',
    hint: KEYWORDS,
    // From the keyword, not from the start of its word (`MY_SECRET`): the value found is the same, and a
    // word's start looked for before every keyword cost a flood of `token …` lines 8 ns a byte (V8 backtracks).
    re: /((?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_]*["']?\s*[=:]\s*["']?)([^\s"',;&)}]{4,})/gi,
    keep: 1,
  },
  {
    // --password VALUE, -p is too ambiguous to guess at
    name: 'flag',
    hint: KEYWORDS,
    re: /(--(?:password|passwd|token|secret|api-key)\s+["']?)([^\s"']{4,})/gi,
    keep: 1,
  },
];

export const REDACTED = '[REDACTED]';

/** Where in a text any of the literals ('\n' between) starts, in any ASCII case. */
export type HintFinder = (text: string, literals: string) => ArrayLike<number>;
let nativeHints: HintFinder | null = null;

/** The daemon's native finder of hints (native/relay.c), faster than a regular expression; it must find the same. */
export function useHintFinder(f: HintFinder | null): void {
  nativeHints = f;
}

/** The hints of a list of patterns: as the native finder takes them, and as one regular expression. */
const hintsOf = new WeakMap<SecretPattern[], { literals: string; re: RegExp } | null>();
function hintOf(patterns: SecretPattern[]): { literals: string; re: RegExp } | null {
  let h = hintsOf.get(patterns);
  if (h === undefined) {
    const literals = [...new Set(patterns.flatMap((p) => ('re' in p ? [...(p.hint ?? []), ...(p.guard ?? [])] : [])))];
    h = literals.length ? { literals: literals.join('\n'), re: new RegExp(literals.map((l) => l.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|'), 'gi') } : null;
    hintsOf.set(patterns, h);
  }
  return h;
}

/** Whether every pattern has hints or guards: then a text where none of them is found holds no secret the patterns would find. */
export function allGuarded(patterns: SecretPattern[]): boolean {
  return patterns.every((p) => 're' in p && (p.hint?.length || p.guard?.length));
}

/** The hints (and guards) of a list of patterns as the native finder takes them ('\n' between), or null when none has one. */
export function hintLiterals(patterns: SecretPattern[]): string | null {
  return hintOf(patterns)?.literals ?? null;
}

/** Where the hints start in a text. */
export function findHints(text: string, patterns: SecretPattern[]): ArrayLike<number> {
  const h = hintOf(patterns);
  if (!h) return [];
  if (nativeHints) return nativeHints(text, h.literals);
  const at: number[] = [];
  h.re.lastIndex = 0;
  for (let m = h.re.exec(text); m; m = h.re.exec(text)) (at.push(m.index), (h.re.lastIndex = m.index + 1));
  return at;
}

type Compiled = { re: RegExp; keep?: number };
/**
 * A list of patterns made ready once: each RegExp with match indices; the
 * patterns with hints apart, with their hints by first character.
 */
const compiledOf = new WeakMap<SecretPattern[], { whole: Compiled[]; near: Compiled[]; byFirst: Map<string, [string, number][]> }>();
function compiled(patterns: SecretPattern[]) {
  let c = compiledOf.get(patterns);
  if (!c) {
    c = { whole: [], near: [], byFirst: new Map() };
    for (const p of patterns) {
      if ('re2' in p) continue;
      const re = { re: new RegExp(p.re.source, p.re.flags.includes('d') ? p.re.flags : p.re.flags + 'd'), keep: p.keep };
      if (!p.hint) c.whole.push(re);
      else {
        for (const lit of p.hint) c.byFirst.set(lit[0], [...(c.byFirst.get(lit[0]) ?? []), [lit, c.near.length]]);
        c.near.push(re);
      }
    }
    compiledOf.set(patterns, c);
  }
  return c;
}

/** Where the patterns find secrets in text: ranges to replace, sorted and merged. */
function secretRanges(text: string, patterns: SecretPattern[], hinted?: ArrayLike<number>): [number, number][] {
  const ranges: [number, number][] = [];
  for (const p of patterns) {
    if (!('re2' in p)) continue;
    const m = p.re2.matcher(text);
    while (m.find()) if (m.end() > m.start()) ranges.push([m.start(), m.end()]);
  }
  const { whole, near, byFirst } = compiled(patterns);
  for (const p of whole) matches(p.re, text, 0, p.keep, ranges);
  if (near.length) {
    // Around each hint: from the start of its line (a match begins there at
    // the earliest) to the end of the line a kilobyte on, and the line after
    // it (a value may follow its keyword on the next line: `token:\n  abc`).
    // Windows that meet are one span, scanned from its start as the whole
    // text would be: a window begun inside a match that crossed a line could
    // match from the wrong place (and miss a value after). What the patterns
    // would find with the value two or more lines (or a kilobyte of spaces)
    // after its keyword is the one thing not found here.
    const hints = hinted ?? findHints(text, patterns);
    let looked = 0; // hints before this one are in spans already scanned
    const scan = (from: number, to: number) => {
      const span = text.slice(from, to);
      // Only the patterns with one of their hints in the span: each of their matches holds one.
      const tried = new Set<number>();
      for (; looked < hints.length && hints[looked] < to; looked++) {
        const at = hints[looked];
        for (const [lit, i] of byFirst.get(text[at]?.toLowerCase() ?? '') ?? [])
          if (!tried.has(i) && text.slice(at, at + lit.length).toLowerCase() === lit) tried.add(i);
      }
      for (const i of tried) matches(near[i].re, span, from, near[i].keep, ranges);
    };
    let spanFrom = -1;
    let spanEnd = -1;
    let reach = -1; // where the line a kilobyte after the span's last hint ends
    for (let k = 0; k < hints.length; k++) {
      const at = hints[k];
      if (at + 1024 <= reach) continue; // its window lies inside the span already
      const from = Math.max(0, text.lastIndexOf('\n', at));
      let to = text.indexOf('\n', Math.min(text.length, at + 1024));
      if (to < 0) to = text.length;
      let end = to < text.length ? text.indexOf('\n', to + 1) : to;
      if (end < 0) end = text.length;
      if (spanFrom >= 0 && from <= spanEnd) spanEnd = Math.max(spanEnd, end);
      else {
        if (spanFrom >= 0) scan(spanFrom, spanEnd);
        spanFrom = from;
        spanEnd = end;
      }
      reach = Math.max(reach, to);
    }
    if (spanFrom >= 0) scan(spanFrom, spanEnd);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The matches of a global `re` in `text` (which sits at `offset` in the whole), as ranges to replace. */
function matches(re: RegExp, text: string, offset: number, keep: number | undefined, ranges: [number, number][]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    const from = keep ? (m.indices?.[keep]?.[1] ?? m.index) : m.index;
    const to = m.index + m[0].length;
    if (to > from) ranges.push([offset + from, offset + to]);
    if (!re.global) break;
  }
}

/** hints: where the patterns' hints start in text, when already found (the daemon finds them with other things in one pass). */
export function redact(text: string, patterns: SecretPattern[] = DEFAULT_PATTERNS, hints?: ArrayLike<number>): string {
  const ranges = secretRanges(text, patterns, hints);
  if (!ranges.length) return text;
  let out = '';
  let pos = 0;
  for (const [from, to] of ranges) {
    out += text.slice(pos, from) + REDACTED;
    pos = to;
  }
  return out + text.slice(pos);
}

/**
 * Secrets in what was written that what a terminal shows of it may no longer
 * give away: `password=x\rprogress` shows `progress=x`, whose keyword is gone.
 * Each piece of a line that a carriage return or backspace starts is looked
 * at as written (escape sequences out); the secrets found, as text.
 */
export function drawnOverSecrets(raw: string, patterns: SecretPattern[] = DEFAULT_PATTERNS): string[] {
  const over = /\r(?!\n|$)|\x08/;
  if (!over.test(raw)) return [];
  const found = new Set<string>();
  for (const line of raw.split('\n')) {
    if (!over.test(line)) continue;
    for (const piece of line.split(/[\r\x08]/)) {
      const t = stripAnsi(piece);
      for (const [a, b] of secretRanges(t, patterns)) if (b - a >= 4) found.add(t.slice(a, b));
    }
  }
  return [...found];
}

/**
 * Extra patterns from the user's config: each a regular expression in RE2
 * syntax (no back-references or lookaround, which can take exponential time);
 * the whole match is replaced. Throws with the reason for one RE2 refuses.
 */
export function compilePatterns(sources: string[]): SecretPattern[] {
  return sources.map((src, i) => ({ name: `custom-${i + 1}`, re2: RE2JS.compile(src) }));
}

/**
 * Redacts terminal output as a terminal would show it: a secret printed with
 * colours inside or around it (`grep --color`, `printf '\e[1m%s'`) is found
 * in the text without the escape sequences, and its characters are removed
 * from the raw bytes while the sequences stay (so the colours still end
 * where they did). Returns null when a secret would still show once the
 * result is drawn (e.g. pieced together with carriage returns): the caller
 * then keeps no raw copy at all.
 */
export function redactRaw(raw: string, patterns: SecretPattern[] = DEFAULT_PATTERNS): string | null {
  // The text without escape sequences, and where each of its characters sits in raw.
  let visible = '';
  const at: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) === 0x1b) {
      i = skipEscape(raw, i);
      continue;
    }
    visible += raw[i];
    at.push(i);
  }
  const ranges = secretRanges(visible, patterns).map(([from, to]): [number, number] => [at[from], at[to - 1] + 1]);
  let out = raw;
  if (ranges.length) {
    let res = '';
    let pos = 0;
    for (let k = 0; k < ranges.length; k++) {
      let [from, to] = ranges[k];
      while (k + 1 < ranges.length && ranges[k + 1][0] <= to) to = Math.max(to, ranges[++k][1]);
      if (from < pos) from = pos;
      res += raw.slice(pos, from) + REDACTED;
      // Keep the escape sequences inside the secret, drop its characters.
      for (let i = from; i < to; i++) {
        if (raw.charCodeAt(i) === 0x1b) {
          const end = skipEscape(raw, i);
          res += raw.slice(i, end + 1);
          i = end;
        }
      }
      pos = Math.max(pos, to);
    }
    out = res + raw.slice(pos);
  }
  const shown = stripAnsi(out);
  return redact(shown, patterns) === shown ? out : null;
}
