// The shells' scratch dir (bash hands its history line over through a file in
// it). On tmpfs when there is one: rewriting a small file on ext4 costs ~170 µs,
// on tmpfs ~14 µs, and this happens at every command. Its path is noted in the
// state dir, so that the next daemon removes the one a crashed daemon left in
// /dev/shm (tmpfs is memory, and nothing else would ever clean it).
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { ownedByAnother, userTag } from '../platform/owner.js';

const prefix = `trail-${userTag}-`;

/** Call with the daemon's lock held: no other daemon of this state dir is alive. */
export function openRunDir(home: string, note: string, log: (line: string) => void): string {
  removeLeftOver(home, note, log);
  const dir = makeRunDir(home);
  try {
    writeFileSync(note, dir + '\n', { mode: 0o600 });
  } catch {
    /* only the cleanup after a crash depends on it */
  }
  return dir;
}

export function closeRunDir(dir: string, note: string): void {
  rmSync(dir, { recursive: true, force: true });
  rmSync(note, { force: true });
}

function makeRunDir(home: string): string {
  for (const base of ['/dev/shm', process.env.XDG_RUNTIME_DIR]) {
    if (!base) continue;
    try {
      return mkdtempSync(join(base, prefix));
    } catch {
      /* not usable: try the next */
    }
  }
  const dir = join(home, 'run');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function removeLeftOver(home: string, note: string, log: (line: string) => void): void {
  let dir: string;
  try {
    dir = readFileSync(note, 'utf8').trim();
  } catch {
    return; // none noted: the last daemon stopped cleanly, or never ran
  }
  // Only ever a dir this code makes, and only the user's own.
  const ours = isAbsolute(dir) && (basename(dir).startsWith(prefix) || dir === join(home, 'run'));
  try {
    const st = lstatSync(dir);
    if (!ours || !st.isDirectory() || ownedByAnother(st)) {
      log(`left alone ${dir}, named in ${note}: not a scratch dir of ours`);
      return;
    }
  } catch {
    return; // already gone
  }
  rmSync(dir, { recursive: true, force: true });
  log(`removed ${dir}, the scratch dir a daemon that did not stop cleanly left`);
}
