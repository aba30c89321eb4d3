// The daemon's pid file: written by the daemon that holds the lock, read by
// the one that lost it (to say which runs) and by a CLI (to tell whether the
// daemon it reached is the one it started).
import { readFileSync } from 'node:fs';

export function readPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null; // not written yet, or no daemon
  }
}

/** Whether a process with this pid runs (one of another user's counts). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
