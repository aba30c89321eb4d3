// Other shells' history files, read into plain entries for `trail import`:
// bash (with or without HISTTIMEFORMAT timestamps), zsh (plain or
// EXTENDED_HISTORY, metafied bytes undone) and fish (its YAML-like file).
// Atuin's SQLite database is read by the CLI itself.

/** The histories `trail import` reads. */
export const IMPORT_SOURCES = ['bash', 'zsh', 'fish', 'atuin'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export type HistoryEntry = {
  command: string;
  /** Epoch ms, where the file says. */
  at: number | null;
  durationMs: number | null;
};

const decoder = new TextDecoder('utf-8');

function lines(text: string): string[] {
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/**
 * ~/.bash_history: one command per line; with HISTTIMEFORMAT set, bash writes
 * `#EPOCH` before each entry, which stamps the line after it (as Atuin reads
 * it; a file often has unstamped lines from before HISTTIMEFORMAT was set).
 */
export function parseBash(bytes: Uint8Array): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let stamp: number | null = null;
  for (const l of lines(decoder.decode(bytes))) {
    const ts = /^#(\d{9,11})$/.exec(l);
    if (ts) {
      stamp = Number(ts[1]) * 1000;
      continue;
    }
    if (l.trim()) out.push({ command: l, at: stamp, durationMs: null });
    stamp = null;
  }
  return out;
}

/** zsh writes bytes 0x83-0xa2 and NUL as 0x83 then the byte xor 0x20 ("metafied"). */
export function unmetafy(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x83)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x83 && i + 1 < bytes.length) out[n++] = bytes[++i] ^ 0x20;
    else out[n++] = bytes[i];
  }
  return out.subarray(0, n);
}

/** ~/.zsh_history: `: START:ELAPSED;command` (EXTENDED_HISTORY) or plain lines; a line ending in `\` goes on. */
export function parseZsh(bytes: Uint8Array): HistoryEntry[] {
  const ls = lines(decoder.decode(unmetafy(bytes)));
  const out: HistoryEntry[] = [];
  for (let i = 0; i < ls.length; i++) {
    let l = ls[i];
    let at: number | null = null;
    let durationMs: number | null = null;
    const ext = /^: (\d+):(\d+);/.exec(l);
    if (ext) {
      at = Number(ext[1]) * 1000;
      durationMs = Number(ext[2]) * 1000;
      l = l.slice(ext[0].length);
    }
    const body = [l];
    while (body[body.length - 1].endsWith('\\') && i + 1 < ls.length && !/^: \d+:\d+;/.test(ls[i + 1])) {
      body[body.length - 1] = body[body.length - 1].slice(0, -1);
      body.push(ls[++i]);
    }
    const command = body.join('\n');
    if (command.trim()) out.push({ command, at, durationMs });
  }
  return out;
}

/** fish's history file: `- cmd: …` entries with `when: EPOCH`; in cmd, `\n` is a newline and `\\` a backslash. */
export function parseFish(bytes: Uint8Array): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  let cur: HistoryEntry | null = null;
  for (const l of lines(decoder.decode(bytes))) {
    const cmd = /^- cmd: (.*)$/.exec(l);
    if (cmd) {
      if (cur?.command.trim()) out.push(cur);
      cur = { command: cmd[1].replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')), at: null, durationMs: null };
      continue;
    }
    const when = /^ {2}when: (\d+)$/.exec(l);
    if (when && cur) cur.at = Number(when[1]) * 1000;
  }
  if (cur?.command.trim()) out.push(cur);
  return out;
}
