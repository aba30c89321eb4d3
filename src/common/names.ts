// The rules for names a person types: session names end up in paths, URLs and
// terminal titles, so they are kept to printable text without separators.
export const NAME_RULE =
  'a name is 1-64 characters, with no "/", no whitespace at either end, no control characters and no bidirectional overrides';

export function checkName(name: string): string | null {
  if (name.length === 0 || name.length > 64) return NAME_RULE;
  if (name.includes('/')) return NAME_RULE;
  if (name.trim() !== name) return NAME_RULE;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return NAME_RULE;
  // bidirectional controls make a name read as another (U+202E turns "abc" into "cba")
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(name)) return NAME_RULE;
  if (name === '.' || name === '..') return NAME_RULE;
  return null;
}

/** A session name derived from a directory: its last component, made valid. */
export function nameFromDir(dir: string): string {
  const base = dir.split('/').filter(Boolean).pop() ?? 'root';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '_').trim().slice(0, 64);
  return cleaned.length > 0 && cleaned !== '.' && cleaned !== '..' ? cleaned : 'root';
}
