// Plain-data views of live objects: what every transport returns.
import type { Session } from '../daemon/sessions.js';
import type { Terminal } from '../daemon/terminal.js';
import type { CommandRow } from '../store/commands.js';
import type { SessionView, CommandView, TerminalView } from '../contract/ops.js';

export type { SessionView, CommandView, TerminalView };


export function sessionView(s: Session): SessionView {
  return {
    name: s.name,
    dir: s.dir,
    terminals: s.terminals.length,
    clients: s.terminals.reduce((n, t) => n + t.clientCount, 0),
    createdAt: s.createdAt,
    lastActiveAt: s.lastActiveAt,
  };
}

export function terminalView(s: Session, t: Terminal): TerminalView {
  return {
    id: t.id,
    index: t.index,
    session: s.name,
    command: t.command,
    cwd: t.cwd,
    pid: t.exited ? null : t.pid,
    cols: t.cols,
    rows: t.rows,
    clients: t.clientCount,
    shell: t.shellKind,
    integrated: t.integrated,
    createdAt: t.createdAt,
    exitedAt: t.exited?.at ?? null,
    exitCode: t.exited?.code ?? null,
  };
}


export function commandView(r: CommandRow, sessionName: string, withOutput: boolean): CommandView {
  const v: CommandView = {
    id: r.id,
    session: sessionName,
    terminal: r.terminal_id,
    command: r.command,
    cwd: r.cwd,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    exitCode: r.exit_code,
    endReason: r.end_reason,
    seq: r.seq,
    commandBytes: r.command_bytes,
    git: r.git_root ? { root: r.git_root, branch: r.branch, head: r.head, dirty: r.dirty === null ? null : r.dirty === 1 } : null,
    actor: r.actor,
    host: r.host ?? null,
    outputBytes: r.output_bytes,
    outputTruncated: r.output_truncated === 1,
    screen: r.screen === 1,
  };
  if (withOutput) {
    v.output = r.output;
    v.raw = r.raw;
  }
  return v;
}
