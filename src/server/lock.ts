// One daemon per state dir: the lock file holds the running daemon's pid.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export type LockResult = { ok: true } | { ok: false; pid: number };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  // A killed daemon stays a zombie until its parent reaps it, and after a
  // reboot its pid may belong to anything: neither is a daemon still running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    // the daemon runs as `node …/server/main.js`, or in the foreground as `trail daemon`
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((a) => a.endsWith('server/main.js') || /(^|\/)trail[^/]*$/.test(a));
  } catch {
    return false;
  }
}

export function takeLock(file: string): LockResult {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { ok: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) return { ok: false, pid };
      unlinkSync(file); // left by a daemon that died
    }
  }
  return { ok: false, pid: -1 };
}

export function releaseLock(file: string): void {
  try {
    if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
  } catch {
    /* gone */
  }
}
