// Who listens on which TCP port, from /proc (Linux): /proc/net/tcp and tcp6
// give each listening socket's port and inode; /proc/PID/fd links name the
// process that holds that inode. Another user's processes cannot be read:
// their ports are reported without a holder.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Listening TCP ports and their socket inodes. */
function listeners(): Map<number, number[]> {
  const byInode = new Map<number, number[]>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      const port = parseInt(cols[1].split(':')[1], 16);
      const inode = Number(cols[9]);
      byInode.set(inode, [...(byInode.get(inode) ?? []), port]);
    }
  }
  return byInode;
}

/** The socket inodes a process holds. */
function socketInodes(pid: number): number[] {
  const out: number[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(Number(m[1]));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}

/** Who holds a listening TCP port: null when nobody listens; pid null when the holder cannot be read. */
export function portHolder(port: number): { pid: number | null; command: string } | null {
  const ls = listeners();
  const inodes = [...ls].filter(([, ports]) => ports.includes(port)).map(([inode]) => inode);
  if (!inodes.length) return null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    if (socketInodes(pid).some((i) => inodes.includes(i))) return { pid, command: cmdline(pid) };
  }
  return { pid: null, command: '(a process this user cannot see)' };
}

/**
 * The TCP ports each of these process groups listens on, with one pass over
 * /proc for them all (a service is a process group).
 */
export function groupPorts(pgids: number[]): Map<number, number[]> {
  const out = new Map<number, number[]>(pgids.map((g) => [g, []]));
  if (!pgids.length) return out;
  const ls = listeners();
  if (!ls.size) return out;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let pgid: number;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      continue; // gone
    }
    const ports = out.get(pgid);
    if (!ports) continue;
    for (const inode of socketInodes(Number(d))) for (const p of ls.get(inode) ?? []) if (!ports.includes(p)) ports.push(p);
  }
  for (const ports of out.values()) ports.sort((a, b) => a - b);
  return out;
}
