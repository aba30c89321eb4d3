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
export type SecretPattern = { name: string; re: RegExp; keep?: number } | { name: string; re2: RE2JS };

// `keep` is the capture group to keep (e.g. the `password=` part of an assignment).
export const DEFAULT_PATTERNS: SecretPattern[] = [
  { name: 'aws-access-key-id', re: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g },
  { name: 'aws-secret', re: /(aws_secret_access_key\s*[=:]\s*["']?)([A-Za-z0-9/+=]{40})/gi, keep: 1 },
  { name: 'github-token', re: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,})\b/g },
  { name: 'github-pat', re: /\b(github_pat_[A-Za-z0-9_]{22,})\b/g },
  { name: 'gitlab-pat', re: /\b(glpat-[A-Za-z0-9_-]{20,})\b/g },
  { name: 'slack-token', re: /\b(xox[bpoas]-[A-Za-z0-9-]{10,})\b/g },
  { name: 'slack-webhook', re: /(https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9+/]{20,})/g },
  { name: 'stripe-key', re: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b/g },
  { name: 'npm-token', re: /\b(npm_[A-Za-z0-9]{36})\b/g },
  { name: 'netlify-token', re: /\b(nfp_[A-Za-z0-9]{36,})\b/g },
  { name: 'pulumi-token', re: /\b(pul-[a-f0-9]{40})\b/g },
  {
    name: 'private-key',
    re: /(-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END[A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    keep: 1,
  },
  {
    // password=..., TOKEN: ..., "api_key": "...", MY_SECRET=...
    name: 'assignment',
    re: /((?:^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_]*["']?\s*[=:]\s*["']?)([^\s"',;&)}]{4,})/gi,
    keep: 1,
  },
  {
    // --password VALUE, -p is too ambiguous to guess at
    name: 'flag',
    re: /(--(?:password|passwd|token|secret|api-key)\s+["']?)([^\s"']{4,})/gi,
    keep: 1,
  },
];

export const REDACTED = '[REDACTED]';

/** Where the patterns find secrets in text: ranges to replace, sorted and merged. */
function secretRanges(text: string, patterns: SecretPattern[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const p of patterns) {
    if ('re2' in p) {
      const m = p.re2.matcher(text);
      while (m.find()) if (m.end() > m.start()) ranges.push([m.start(), m.end()]);
      continue;
    }
    const re = new RegExp(p.re.source, p.re.flags.includes('d') ? p.re.flags : p.re.flags + 'd');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0] === '') {
        re.lastIndex++;
        continue;
      }
      const from = p.keep ? (m.indices?.[p.keep]?.[1] ?? m.index) : m.index;
      const to = m.index + m[0].length;
      if (to > from) ranges.push([from, to]);
      if (!re.global) break;
    }
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

export function redact(text: string, patterns: SecretPattern[] = DEFAULT_PATTERNS): string {
  const ranges = secretRanges(text, patterns);
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
