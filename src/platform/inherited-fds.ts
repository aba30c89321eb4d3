// File descriptors the daemon inherited from whatever started it (a shell's
// fd 251, a pipe of an editor's task runner) would otherwise stay open in
// the daemon for its whole life and pass on to every shell it starts. Node
// and libuv open everything with O_CLOEXEC, so an fd above 2 without that flag
// was inherited: it is closed. Linux only (/proc); elsewhere nothing is done.
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Closes inherited fds above stderr; returns the ones it closed. */
export function closeInheritedFds(): number[] {
  let fds: number[];
  try {
    fds = readdirSync('/proc/self/fd').map(Number).filter((fd) => fd > 2);
  } catch {
    return [];
  }
  const closed: number[] = [];
  for (const fd of fds) {
    let flags: number;
    try {
      const m = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (!m) continue;
      flags = parseInt(m[1], 8);
    } catch {
      continue; // the fd readdir itself used, gone by now
    }
    if (flags & O_CLOEXEC) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      /* already closed */
    }
  }
  return closed;
}
