// Turns terminal output into the text a person saw: escape sequences removed,
// carriage-return overwrites (progress bars) and backspaces applied per line.
export function stripAnsi(input: string): string {
  // Trailing spaces are invisible on a terminal (and zsh's PROMPT_SP pads with them): drop them.
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x1b) {
      const end = skipEscape(input, i);
      // Erase in line (CSI K): what a terminal would no longer show goes here too (`50%\x1b[K\rok\x1b[K` shows "ok").
      if (input.charCodeAt(i + 1) === 0x5b && input.charCodeAt(end) === 0x4b) {
        const mode = input.slice(i + 2, end);
        if (mode === '' || mode === '0') line.length = Math.min(line.length, col);
        else if (mode === '2') line = line.map(() => ' ');
        else if (mode === '1') for (let k = 0; k < Math.min(col + 1, line.length); k++) line[k] = ' ';
      }
      i = end;
      continue;
    }
    if (c === 0x0a) {
      lines.push(line.join('').trimEnd());
      line = [];
      col = 0;
      continue;
    }
    if (c === 0x0d) {
      if (input.charCodeAt(i + 1) !== 0x0a) col = 0;
      continue;
    }
    if (c === 0x08) {
      if (col > 0) col--;
      continue;
    }
    if (c === 0x09) {
      put('\t');
      continue;
    }
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) continue;
    put(input[i]);
  }
  if (line.length) lines.push(line.join('').trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');

  function put(ch: string): void {
    if (col < line.length) line[col] = ch;
    else line.push(ch);
    col++;
  }
}

/** Index of the last character of the escape sequence starting at i. */
export function skipEscape(s: string, i: number): number {
  const next = s.charCodeAt(i + 1);
  if (Number.isNaN(next)) return i;
  if (next === 0x5b /* [ CSI */) {
    let j = i + 2;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j;
      j++;
    }
    return s.length - 1;
  }
  if (next === 0x5d /* ] OSC */ || next === 0x50 /* P DCS */ || next === 0x58 || next === 0x5e || next === 0x5f) {
    let j = i + 2;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x07) return j;
      if (c === 0x1b && s.charCodeAt(j + 1) === 0x5c) return j + 1;
      j++;
    }
    return s.length - 1;
  }
  if (next === 0x28 || next === 0x29 || next === 0x2a || next === 0x2b || next === 0x23 || next === 0x25) return i + 2; // charset / line attrs
  return i + 1;
}
