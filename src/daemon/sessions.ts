// The session manager: the live sessions and their terminals, kept in step
// with the store so a restarted daemon still knows every session.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TrailError } from '../common/errors.js';
import { checkName } from '../common/names.js';
import { redact, type SecretPattern } from '../common/redact.js';
import type { SessionStore } from '../store/sessions.js';
import type { CommandStore } from '../store/commands.js';
import { Terminal, type ClientSink } from './terminal.js';
import { mirrorThread } from './mirror.js';
import type { CommandRecord } from './recorder.js';

export type Session = {
  id: string;
  name: string;
  dir: string;
  createdAt: number;
  lastActiveAt: number;
  terminals: Terminal[];
  nextIndex: number;
};

export type ManagerDeps = {
  sessions: SessionStore;
  commands: CommandStore;
  scrollback: number;
  secrets: SecretPattern[];
  runDir: string;
  env: Record<string, string>;
  log: (line: string) => void;
};

export type NewTerminalSpec = { command?: string[]; shell?: string; cols?: number; rows?: number };

export class SessionManager {
  private byId = new Map<string, Session>();

  constructor(private deps: ManagerDeps) {
    mirrorThread.onError = deps.log;
    const now = Date.now();
    const orphans = deps.sessions.closeOrphans(now);
    if (orphans) deps.log(`marked ${orphans} terminal(s) of an earlier daemon as ended`);
    for (const row of deps.sessions.liveSessions()) {
      this.byId.set(row.id, {
        id: row.id,
        name: row.name,
        dir: row.dir,
        createdAt: row.created_at,
        lastActiveAt: row.last_active_at,
        terminals: [],
        nextIndex: 0,
      });
    }
  }

  list(): Session[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  find(name: string): Session | undefined {
    for (const s of this.byId.values()) if (s.name === name) return s;
    return undefined;
  }

  /** The one resolver every command uses: the session, or the one clear error. */
  get(name: string): Session {
    const s = this.find(name);
    if (s) return s;
    const names = this.list().map((x) => x.name);
    throw new TrailError(
      'not_found',
      `no session named "${name}"; ${names.length ? 'sessions: ' + names.join(', ') : 'there are no sessions (trail new NAME)'}`,
    );
  }

  create(name: string, dir: string, first?: NewTerminalSpec): Session {
    const bad = checkName(name);
    if (bad) throw new TrailError('invalid', `session name ${JSON.stringify(name)} refused: ${bad}`);
    if (this.find(name)) throw new TrailError('exists', `a session named "${name}" exists already (trail attach ${name})`);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new TrailError('invalid', `directory ${dir} does not exist; create it or pass --dir`);
    const now = Date.now();
    const s: Session = { id: randomBytes(8).toString('hex'), name, dir, createdAt: now, lastActiveAt: now, terminals: [], nextIndex: 0 };
    this.deps.sessions.insertSession({ id: s.id, name, dir, created_at: now, last_active_at: now });
    this.deps.sessions.event(s.id, null, now, 'session.created', null, { name, dir });
    this.byId.set(s.id, s);
    this.newTerminal(s, first ?? {});
    return s;
  }

  /** The session bound to dir, made if there is none (`trail` with no arguments). */
  ensureForDir(dir: string, baseName: string, spec: NewTerminalSpec): { session: Session; created: boolean } {
    for (const s of this.byId.values()) if (s.dir === dir) return { session: s, created: false };
    let name = baseName;
    for (let i = 2; this.find(name); i++) name = `${baseName}-${i}`;
    return { session: this.create(name, dir, spec), created: true };
  }

  rename(oldName: string, newName: string): Session {
    const s = this.get(oldName);
    const bad = checkName(newName);
    if (bad) throw new TrailError('invalid', `session name ${JSON.stringify(newName)} refused: ${bad}`);
    if (this.find(newName)) throw new TrailError('exists', `a session named "${newName}" exists already`);
    this.deps.sessions.rename(s.id, newName);
    this.deps.sessions.event(s.id, null, Date.now(), 'session.renamed', null, { from: s.name, to: newName });
    s.name = newName;
    return s;
  }

  kill(name: string): void {
    const s = this.get(name);
    const now = Date.now();
    this.byId.delete(s.id);
    for (const t of s.terminals) {
      for (const c of t.sinks()) c.detached(`session ${s.name} was killed`);
      t.kill();
    }
    this.deps.sessions.kill(s.id, now);
    this.deps.sessions.event(s.id, null, now, 'session.killed', null);
  }

  newTerminal(s: Session, spec: NewTerminalSpec): Terminal {
    const id = 't' + randomBytes(4).toString('hex');
    const shell = spec.shell || this.deps.env.SHELL || userInfo().shell || '/bin/sh';
    const t = new Terminal({
      id,
      index: s.nextIndex++,
      sessionId: s.id,
      sessionName: s.name,
      cwd: s.dir,
      command: spec.command,
      shell,
      env: this.deps.env,
      cols: spec.cols ?? 80,
      rows: spec.rows ?? 24,
      scrollback: this.deps.scrollback,
      tmpFile: join(this.deps.runDir, id),
      onCommand: (rec) => this.saveCommand(rec),
      onExit: (term, code, signal) => this.terminalExited(s, term, code, signal),
      log: this.deps.log,
    });
    s.terminals.push(t);
    const now = Date.now();
    this.deps.sessions.insertTerminal({
      id,
      session_id: s.id,
      idx: t.index,
      command: JSON.stringify(t.command),
      cwd: s.dir,
      shell: t.shellKind,
      created_at: now,
    });
    this.deps.sessions.event(s.id, id, now, 'terminal.started', null, { command: t.command });
    this.touch(s);
    return t;
  }

  terminal(s: Session, ref?: string): Terminal {
    const live = s.terminals.filter((t) => !t.exited);
    if (ref === undefined) {
      const t = live[live.length - 1];
      if (t) return t;
      return this.newTerminal(s, {});
    }
    const t = live.find((x) => x.id === ref || String(x.index) === ref);
    if (!t)
      throw new TrailError(
        'not_found',
        `session ${s.name} has no terminal "${ref}"; terminals: ${live.map((x) => `${x.index} (${x.id})`).join(', ') || 'none'}`,
      );
    return t;
  }

  killTerminal(s: Session, ref: string): void {
    this.terminal(s, ref).kill();
  }

  touch(s: Session): void {
    s.lastActiveAt = Date.now();
    this.deps.sessions.touch(s.id, s.lastActiveAt);
  }

  clientEvent(s: Session, t: Terminal, sink: ClientSink, kind: 'client.attached' | 'client.detached'): void {
    this.deps.sessions.event(s.id, t.id, Date.now(), kind, sink.name, { client: sink.id, readOnly: sink.readOnly });
    this.touch(s);
  }

  private terminalExited(s: Session, t: Terminal, code: number | null, signal: number | null): void {
    const now = Date.now();
    s.terminals = s.terminals.filter((x) => x !== t);
    rmSync(join(this.deps.runDir, t.id), { force: true });
    if (this.byId.has(s.id)) {
      this.deps.sessions.exitTerminal(t.id, now, code);
      this.deps.sessions.event(s.id, t.id, now, 'terminal.exited', null, { code, signal });
    }
    t.notifyExit(s.terminals.length);
    setTimeout(() => t.dispose(), 1000).unref();
  }

  private saveCommand(rec: CommandRecord): void {
    const p = this.deps.secrets;
    try {
      this.deps.commands.insert({
        session_id: rec.sessionId,
        terminal_id: rec.terminalId,
        command: redact(rec.command, p),
        cwd: rec.cwd,
        started_at: rec.startedAt,
        ended_at: rec.endedAt,
        duration_ms: rec.endedAt - rec.startedAt,
        exit_code: rec.exitCode,
        git_root: rec.git?.root ?? null,
        branch: rec.git?.branch ?? null,
        head: rec.git?.head ?? null,
        dirty: rec.git?.dirty == null ? null : rec.git.dirty ? 1 : 0,
        actor: rec.actor,
        output: redact(rec.output, p),
        output_bytes: rec.outputBytes,
        output_truncated: rec.truncated ? 1 : 0,
        raw: rec.raw && rec.raw.length <= 256 * 1024 ? redact(rec.raw, p) : null,
        screen: rec.screen ? 1 : 0,
      });
    } catch (e) {
      // A failed write loses this one record, never the daemon or earlier records.
      this.deps.log(`could not store a command of terminal ${rec.terminalId}: ${(e as Error).message}`);
    }
  }

  shutdown(): void {
    for (const s of this.byId.values()) for (const t of s.terminals) t.kill();
  }
}
