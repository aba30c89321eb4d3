import type { createHash as CreateHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { ClientError } from '../client/daemon-client.js';
import { call } from './connect.js';
import { out } from './output.js';
import { escapeControls } from './shown.js';
import { parseBash, parseFish, parseZsh, type HistoryEntry } from '../common/history-formats.js';

type Source = 'bash' | 'zsh' | 'fish' | 'atuin';
type Entry = { command: string; startedAt: number; durationMs: number | null; exitCode: number | null; cwd: string | null; host: string | null; key: string };

/** Where each tool keeps its history unless told otherwise. */
function defaultFile(source: Source): string {
  const home = process.env.HOME || homedir();
  const data = process.env.XDG_DATA_HOME || join(home, '.local', 'share');
  switch (source) {
    case 'bash':
      return process.env.HISTFILE || join(home, '.bash_history');
    case 'zsh':
      return process.env.HISTFILE || join(process.env.ZDOTDIR || home, '.zsh_history');
    case 'fish':
      return join(data, 'fish', 'fish_history');
    case 'atuin':
      return join(data, 'atuin', 'history.db');
  }
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: "bring a shell's or Atuin's past commands into the trail, searchable like the rest (importing again adds nothing twice)",
  usage: 'trail import bash|zsh|fish|atuin [FILE]',
  options: {},
  more: [
    'files read unless FILE is given:',
    '  bash   $HISTFILE or ~/.bash_history (timestamps where HISTTIMEFORMAT wrote them)',
    '  zsh    $HISTFILE or ~/.zsh_history (start and duration with EXTENDED_HISTORY)',
    '  fish   ~/.local/share/fish/fish_history',
    '  atuin  ~/.local/share/atuin/history.db (directory, exit status, duration and host too)',
    'Imported commands show as "imported from SOURCE" in trail log -a and trail search.',
  ].join('\n'),
  run: async ({ positionals }) => {
    const source = positionals[0] as Source | undefined;
    if (!source || !['bash', 'zsh', 'fish', 'atuin'].includes(source)) throw new UsageError('import needs the history to read: bash, zsh, fish or atuin');
    const file = positionals[1] ?? defaultFile(source);
    if (!existsSync(file)) throw new ClientError(`no ${source} history at ${escapeControls(file)}; name the file: trail import ${source} FILE`);
    // node:crypto is loaded here, not at start: it cost every trail command ~2.5 ms.
    const entries = source === 'atuin' ? await readAtuin(file) : fromShell(source, file, (await import('node:crypto')).createHash);
    let added = 0;
    let skipped = 0;
    for (const batch of batches(entries)) {
      const r = await call('trail.import', { source, entries: batch });
      added += r.added;
      skipped += r.skipped;
    }
    out(
      `imported ${added} command(s) from ${escapeControls(file)}` +
        (skipped ? `; ${skipped} were imported before` : '') +
        (entries.dropped ? `; ${entries.dropped} longer than 64 KiB left out` : ''),
    );
    return 0;
  },
};

function fromShell(source: 'bash' | 'zsh' | 'fish', file: string, createHash: typeof CreateHash): Entry[] & { dropped?: number } {
  const bytes = readFileSync(file);
  const parsed: HistoryEntry[] = source === 'bash' ? parseBash(bytes) : source === 'zsh' ? parseZsh(bytes) : parseFish(bytes);
  // Entries without a time keep their place in the file: just after the stamped entry before them (a
  // millisecond apart), or before the first stamped one, or, in a file with no stamps, before its last write.
  const mtime = Math.floor(statSync(file).mtimeMs);
  const times: number[] = new Array(parsed.length);
  let prev: number | null = null;
  let since = 0;
  parsed.forEach((e, i) => {
    if (e.at !== null) [prev, since] = [e.at, 0];
    else since++;
    times[i] = e.at ?? (prev !== null ? prev + since : NaN);
  });
  const firstStamp = parsed.findIndex((e) => e.at !== null);
  for (let i = 0; i < parsed.length && Number.isNaN(times[i]); i++) times[i] = (firstStamp >= 0 ? parsed[firstStamp].at! - firstStamp : mtime - parsed.length) + i;
  const seen = new Map<string, number>();
  const entries: Entry[] & { dropped?: number } = [];
  let dropped = 0;
  parsed.forEach((e, i) => {
    if (Buffer.byteLength(e.command) > 65_536) return void dropped++;
    // The same command at the same time again is another entry: the nth of them keeps its own key.
    const id = `${e.at ?? ''}\0${e.command}`;
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    entries.push({
      command: e.command,
      startedAt: times[i],
      durationMs: e.durationMs,
      exitCode: null,
      cwd: null,
      host: null,
      key: createHash('sha256').update(`${id}\0${nth}`).digest('hex').slice(0, 32),
    });
  });
  entries.dropped = dropped;
  return entries;
}

/** Atuin's database, read-only: every entry not deleted, with its directory, exit, duration and host. */
async function readAtuin(file: string): Promise<Entry[] & { dropped?: number }> {
  const { default: Database } = await import('better-sqlite3');
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new ClientError(`cannot open ${escapeControls(file)} as Atuin's database: ${(e as Error).message}`);
  }
  try {
    type Row = { id: string; timestamp: number | bigint; duration: number | bigint; exit: number; command: string; cwd: string; hostname: string };
    let rows: Row[];
    try {
      rows = db.prepare('SELECT id, timestamp, duration, exit, command, cwd, hostname FROM history WHERE deleted_at IS NULL ORDER BY timestamp').all() as Row[];
    } catch (e) {
      throw new ClientError(`${escapeControls(file)} is not an Atuin history database (${(e as Error).message})`);
    }
    const entries: Entry[] & { dropped?: number } = [];
    let dropped = 0;
    for (const r of rows) {
      if (!r.command?.trim()) continue;
      if (Buffer.byteLength(r.command) > 65_536) {
        dropped++;
        continue;
      }
      const duration = Number(r.duration);
      entries.push({
        command: r.command,
        startedAt: Math.floor(Number(r.timestamp) / 1e6),
        durationMs: duration >= 0 ? Math.round(duration / 1e6) : null,
        exitCode: r.exit === -1 ? null : r.exit,
        cwd: r.cwd && r.cwd !== 'unknown' ? r.cwd : null,
        // Atuin keeps "host:user".
        host: r.hostname ? r.hostname.split(':')[0] : null,
        key: r.id,
      });
    }
    entries.dropped = dropped;
    return entries;
  } finally {
    db.close();
  }
}

/** Batches of at most 5000 entries and about 4 MiB, to stay well inside one message. */
function* batches(entries: Entry[]): Generator<Entry[]> {
  let batch: Entry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = e.command.length + (e.cwd?.length ?? 0) + 100;
    if (batch.length && (batch.length >= 5000 || bytes + size > 4 * 1024 * 1024)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(e);
    bytes += size;
  }
  if (batch.length) yield batch;
}
