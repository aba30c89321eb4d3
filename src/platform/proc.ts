// A process's line of descent, from /proc (Linux): its parent, their parents,
// and its session. Used to tell whether a caller runs inside a given
// terminal (its shell is an ancestor or leads its session).
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** A signal's name from its number (9: SIGKILL), or null. */
export function signalName(n: number): NodeJS.Signals | null {
  return SIGNAL_NAMES.get(n) ?? null;
}

/** The pids above this one (parent first, up to init) and its session id; empty where /proc cannot be read. */
export function lineage(pid: number): { ancestors: number[]; sessions: number[] } {
  const ancestors: number[] = [];
  const sessions: number[] = [];
  let p = pid;
  for (let n = 0; n < 64 && p > 1; n++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      break;
    }
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp session …
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    const sid = Number(f[3]);
    if (sid > 0) sessions.push(sid);
    if (!(ppid > 0)) break;
    ancestors.push(ppid);
    p = ppid;
  }
  return { ancestors, sessions };
}
