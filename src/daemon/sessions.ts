// The session manager: the live sessions and their terminals, kept in step
// with the store so a restarted daemon still knows every session.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TrailError } from '../common/errors.js';
import { checkName } from '../common/names.js';
import { redact, type SecretPattern } from '../common/redact.js';
import { recordingPauses, type RecordingPause, type SessionStore } from '../store/sessions.js';
import type { CommandStore } from '../store/commands.js';
import { Terminal, type ClientSink } from './terminal.js';
import { mirrorThread } from './mirror.js';
import { TrailWriter } from './trail-writer.js';
import { EventBus } from './events.js';
import type { StoreHealth } from './store-health.js';

export type Session = {
  id: string;
  name: string;
  dir: string;
  createdAt: number;
  lastActiveAt: number;
  terminals: Terminal[];
  nextIndex: number;
  /** The terminal a person last attached to (a plain attach returns there). */
  lastTerminalId?: string;
};

export type ManagerDeps = {
  sessions: SessionStore;
  commands: CommandStore;
  scrollback: number;
  secrets: SecretPattern[];
  runDir: string;
  env: Record<string, string>;
  health: StoreHealth;
  log: (line: string) => void;
};

const clockTime = (ms: number) => new Date(ms).toLocaleString('sv-SE').slice(0, 16);

export type NewTerminalSpec = { command?: string[]; shell?: string; cols?: number; rows?: number; actor?: string; banner?: string };

export class SessionManager {
  private byId = new Map<string, Session>();
  private writer: TrailWriter;
  /** The trail's events: emitted here and by the writer, kept by the store, heard by whoever subscribes. */
  readonly events: EventBus;
  /** Per session, what the next terminal's screen says about the shells lost with the last daemon. */
  private lostNotice = new Map<string, string>();
  /** Set by shutdown: shells that end now were ended by the stop, and the next daemon says so. */
  private stopping = false;

  constructor(private deps: ManagerDeps) {
    mirrorThread.onError = deps.log;
    this.events = new EventBus(deps.sessions, deps.health, deps.secrets, deps.log);
    this.writer = new TrailWriter(deps.commands, deps.secrets, deps.health, this.events);
    // Every attached client hears once that recording fails, and once that it works again.
    deps.health.onChange((h) => {
      const message = h.ok
        ? `trail: recording works again; ${h.notKept} record(s) were not kept while it failed`
        : `trail: recording FAILS (${h.lastError}): commands are not kept until the store takes writes again (trail daemon status)`;
      for (const s of this.byId.values()) for (const t of s.terminals) for (const c of t.sinks()) c.notice?.(message);
    });
    const now = Date.now();
    const orphans = deps.sessions.closeOrphans(now);
    const open = deps.commands.closeOpen('the daemon stopped before it ended');
    if (orphans.length || open.length)
      deps.log(
        `marked ${orphans.length} terminal(s) of an earlier daemon as ended, ${open.length} command(s) running in them as lost${open.length ? ` (ids ${open.map((r) => r.id).join(', ')})` : ''}`,
      );
    for (const sessionId of new Set(orphans.map((t) => t.session_id))) {
      const terminals = orphans.filter((t) => t.session_id === sessionId);
      const running: { id: number; command: string }[] = open.filter((r) => r.session_id === sessionId);
      const last = deps.sessions.lastEvent(sessionId);
      // A stop the daemon knew of is written before it ends the shells; clients' detaches may follow it.
      const stop = deps.sessions.lastEvent(sessionId, 'daemon.stopped');
      const stopped = stop !== undefined && stop.at >= Math.max(...terminals.map((t) => t.created_at));
      const when = stopped ? stop.at : Math.max(last?.at ?? 0, deps.commands.lastTime(sessionId) ?? 0);
      // A stop ends the commands it interrupts itself (they are no longer open): its event names them.
      if (stopped)
        for (const id of (JSON.parse(stop.data ?? '{}') as { running?: number[] }).running ?? []) {
          const r = deps.commands.get(id);
          if (r && !running.some((x) => x.id === id)) running.push(r);
        }
      const how = stopped
        ? `the daemon was stopped (trail daemon stop) at ${clockTime(when)}`
        : `the daemon ended unexpectedly (killed or crashed) after ${clockTime(when)}`;
      const lines = [
        `trail: ${how}; ${terminals.length === 1 ? 'the shell' : `the ${terminals.length} shells`} of this session ended with it, with ${terminals.length === 1 ? 'its screen' : 'their screens'}.`,
        ...running.map((r) => `trail: \`${r.command.split('\n')[0].slice(0, 80)}\` was running and is lost (trail show ${r.id}).`),
        `trail: this is a new shell; the trail is kept (trail log).`,
      ];
      this.lostNotice.set(sessionId, '\x1b[33m' + lines.join('\n') + '\x1b[0m');
      for (const t of terminals)
        this.events.emit({ kind: 'terminal.lost', sessionId, terminalId: t.id, at: now, data: { index: t.idx, reason: stopped ? 'daemon stopped' : 'daemon died', running: running.map((r) => r.id) } });
    }
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

  /** A name must be a valid name, and not a secret: names are written and shown everywhere. */
  private checkSessionName(name: string): string | null {
    const bad = checkName(name);
    if (bad) return bad;
    return redact(name, this.deps.secrets) === name ? null : 'it looks like a secret (a token or a password), and names are kept in the trail';
  }

  create(name: string, dir: string, first?: NewTerminalSpec): Session {
    const bad = this.checkSessionName(name);
    if (bad) throw new TrailError('invalid', `session name ${JSON.stringify(name)} refused: ${bad}`);
    if (this.find(name)) throw new TrailError('exists', `a session named "${name}" exists already (trail attach ${name})`);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new TrailError('invalid', `directory ${dir} does not exist; create it or pass --dir`);
    const now = Date.now();
    const s: Session = { id: randomBytes(8).toString('hex'), name, dir, createdAt: now, lastActiveAt: now, terminals: [], nextIndex: 0 };
    this.deps.health.state('a new session', () => this.deps.sessions.insertSession({ id: s.id, name, dir, created_at: now, last_active_at: now }));
    this.events.emit({ kind: 'session.created', sessionId: s.id, terminalId: null, at: now, data: { name, dir } });
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
    const bad = this.checkSessionName(newName);
    if (bad) throw new TrailError('invalid', `session name ${JSON.stringify(newName)} refused: ${bad}`);
    if (this.find(newName)) throw new TrailError('exists', `a session named "${newName}" exists already`);
    this.deps.health.state('a session rename', () => this.deps.sessions.rename(s.id, newName));
    this.events.emit({ kind: 'session.renamed', sessionId: s.id, terminalId: null, at: Date.now(), data: { from: s.name, to: newName } });
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
    this.deps.health.state('a session kill', () => this.deps.sessions.kill(s.id, now));
    this.events.emit({ kind: 'session.killed', sessionId: s.id, terminalId: null, at: now });
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
      sink: this.writer,
      banner: [this.takeNotice(s.id), spec.banner].filter(Boolean).join('\n') || undefined,
      actor: spec.actor,
      onExit: (term, code, signal) => this.terminalExited(s, term, code, signal),
      log: this.deps.log,
    });
    s.terminals.push(t);
    const now = Date.now();
    const command = t.command.map((a) => redact(a, this.deps.secrets));
    this.deps.health.state('a new terminal', () =>
      this.deps.sessions.insertTerminal({
        id,
        session_id: s.id,
        idx: t.index,
        command: JSON.stringify(command),
        cwd: s.dir,
        shell: t.shellKind,
        created_at: now,
      }),
    );
    this.events.emit({ kind: 'terminal.started', sessionId: s.id, terminalId: id, at: now, data: { command } });
    this.touch(s);
    return t;
  }

  private takeNotice(sessionId: string): string | undefined {
    const n = this.lostNotice.get(sessionId);
    this.lostNotice.delete(sessionId);
    return n;
  }

  /** What stopping the daemon would end now: live terminals, attached clients, running commands. */
  atStake(): { terminals: number; clients: number; running: { session: string; terminal: number; command: string }[] } {
    let terminals = 0;
    let clients = 0;
    const running: { session: string; terminal: number; command: string }[] = [];
    for (const s of this.byId.values())
      for (const t of s.terminals) {
        if (t.exited) continue;
        terminals++;
        clients += t.clientCount;
        const r = t.runningCommand;
        if (r) running.push({ session: s.name, terminal: t.index, command: r.command });
      }
    return { terminals, clients, running };
  }

  terminal(s: Session, ref?: string): Terminal {
    const live = s.terminals.filter((t) => !t.exited);
    if (ref === undefined) {
      const t = live.find((x) => x.id === s.lastTerminalId) ?? live[live.length - 1];
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

  /** When recording was paused (trail off) and resumed, per terminal; to is null while still paused. */
  /** Events kept in the store, of these kinds, oldest first. */
  storedEvents(kinds: string[], sessionIds?: string[], since?: number) {
    return this.deps.sessions.events(kinds, sessionIds, since);
  }

  pauses(sessionIds?: string[]): RecordingPause[] {
    return recordingPauses(this.deps.sessions, sessionIds);
  }

  /** A live terminal by its id, in whichever session holds it. */
  terminalById(id: string): { session: Session; terminal: Terminal } {
    for (const s of this.byId.values()) {
      const t = s.terminals.find((x) => x.id === id && !x.exited);
      if (t) return { session: s, terminal: t };
    }
    throw new TrailError('not_found', `no live terminal with id ${id} (trail term ls lists them)`);
  }

  /** Tells every client attached to the session (on screen, and again when it leaves). */
  noticeSession(s: Session, message: string): void {
    for (const t of s.terminals) for (const c of t.sinks()) c.notice?.(message);
  }

  /** Pauses or resumes recording a terminal; the trail keeps that it did, and its clients hear it. */
  setRecording(s: Session, t: Terminal, on: boolean): boolean {
    const changed = t.pauseRecording(!on);
    if (!changed) return false;
    this.events.emit({ kind: on ? 'recording.resumed' : 'recording.paused', sessionId: s.id, terminalId: t.id, at: Date.now(), data: { terminal: t.index } });
    const message = on ? `trail: recording is on again for terminal ${t.index}` : `trail: recording is off for terminal ${t.index} (trail on resumes it)`;
    for (const c of t.sinks()) c.notice?.(message);
    return true;
  }

  killTerminal(s: Session, ref: string): void {
    this.terminal(s, ref).kill();
  }

  touch(s: Session): void {
    s.lastActiveAt = Date.now();
    this.deps.health.attempt('a session’s last activity', () => this.deps.sessions.touch(s.id, s.lastActiveAt));
  }

  clientEvent(s: Session, t: Terminal, sink: ClientSink, kind: 'client.attached' | 'client.detached'): void {
    // Where the person was: the next plain attach comes back here, as tmux returns to the last window.
    if (kind === 'client.attached' && !sink.readOnly) s.lastTerminalId = t.id;
    this.events.emit({ kind, sessionId: s.id, terminalId: t.id, at: Date.now(), actor: sink.name, data: { client: sink.id, readOnly: sink.readOnly } });
    this.touch(s);
  }


  private terminalExited(s: Session, t: Terminal, code: number | null, signal: number | null): void {
    const now = Date.now();
    s.terminals = s.terminals.filter((x) => x !== t);
    rmSync(join(this.deps.runDir, t.id), { force: true });
    if (this.byId.has(s.id) && !this.stopping) {
      this.deps.health.state('a terminal’s end', () => this.deps.sessions.exitTerminal(t.id, now, code));
      this.events.emit({ kind: 'terminal.exited', sessionId: s.id, terminalId: t.id, at: now, data: { code, signal } });
    }
    t.notifyExit(s.terminals.length);
    setTimeout(() => t.dispose(), 1000).unref();
  }

  /** The daemon stops: clients are told why, running commands are ended by that, the shells end. */
  shutdown(why: string): void {
    this.stopping = true;
    const now = Date.now();
    for (const s of this.byId.values()) {
      const live = s.terminals.filter((t) => !t.exited);
      if (live.length) {
        const running = live.map((t) => t.runningCommand?.id).filter((id): id is number => typeof id === 'number');
        this.events.emit({ kind: 'daemon.stopped', sessionId: s.id, terminalId: null, at: now, data: { why, terminals: live.map((t) => t.index), running } });
      }
      for (const t of live) {
        for (const c of t.sinks()) c.detached(`the trail daemon was stopped (${why}); this session's shells ended with it`);
        t.stopRecording('the daemon stopped');
        t.kill();
      }
    }
    this.writer.flush();
  }
}
