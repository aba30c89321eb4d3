// Attaching a client to a terminal: the streaming side of the api. A transport
// supplies a ClientSink and forwards input, resizes and switches to the handle.
import { TrailError } from '../common/errors.js';
import type { ApiContext } from './context.js';
import type { ClientSink, Terminal } from '../daemon/terminal.js';
import type { Session } from '../daemon/sessions.js';
import { terminalView } from './views.js';
import { handover } from '../common/screen.js';
import { keyLabel, type AttachKeys } from './key-filter.js';
import { SERVICE_EVENT_KINDS } from '../common/service-events.js';

/** above: rows of the client's screen in use, to be kept in its scrollback (unknown: all of them). */
export type AttachRequest = { session: string; terminal?: string; service?: string; cols: number; rows: number; above?: number; keys?: AttachKeys };

/** How long an on-screen notice stays (tmux's display-time is 750 ms; these say more). */
const FLASH_MS = 2000;
/** Output this long quiet counts as caught up: the mirror shows what the client shows. */
const QUIET_MS = 200;
/** How far the screen mirror may be behind what a client was sent (the relay's JS_DELAY_MS, and some). */
const CATCH_UP_MS = 150;

export class Attachment {
  private term: Terminal;
  private session: Session;
  private size: { cols: number; rows: number };
  /** The terminal watched before this one, for the last-terminal key. */
  private previous: Terminal | null = null;
  /** A notice drawn over the bottom rows, until it is drawn away. */
  private overlay: { timer: NodeJS.Timeout; lines: number; changes: number; scrolls: Promise<number | null>; term: Terminal } | null = null;
  /** Sessions offered by the sessions key, by number. */
  private offered: Session[] = [];
  private keys: AttachKeys | undefined;
  /** Stops redrawing the status line on service events. */
  private unwatchServices: (() => void) | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  /** The tty service whose terminal this client watches (none: a terminal of the session). */
  private service: string | null = null;

  constructor(
    private ctx: ApiContext,
    private sink: ClientSink,
    req: AttachRequest,
  ) {
    this.session = ctx.manager.get(req.session);
    this.size = { cols: req.cols, rows: req.rows };
    this.keys = req.keys;
    if (req.service !== undefined) {
      this.term = serviceTerminal(ctx, this.session, req.service);
      this.service = req.service;
    } else this.term = ctx.manager.terminal(this.session, req.terminal);
    // The first thing a person sees: where they are and the two keys that matter.
    const keys = req.keys ? ` · ${keyLabel(req.keys.detach)} detach · ${keyLabel(req.keys.prefix)} ? keys` : '';
    const where = this.service !== null ? `service ${this.service}` : `terminal ${this.term.index}`;
    this.join(req.above ?? req.rows, () => this.flashState(`trail: session ${this.session.name}, ${where}${keys}`));
  }

  get info() {
    return { session: this.session.name, terminal: terminalView(this.session, this.term), terminals: this.session.terminals.length, service: this.service ?? undefined };
  }

  /** The terminal this client watches now. */
  get terminal(): Terminal {
    return this.term;
  }

  /** used: rows of the client's screen in use now, which go up into its scrollback first. */
  private join(used: number | Promise<number | null>, joined?: () => void): void {
    // The status line shows the session's services and the commands waiting for approval: it is drawn again when they change.
    if (this.statusOn && !this.unwatchServices)
      this.unwatchServices = this.ctx.manager.events.on([...SERVICE_EVENT_KINDS, 'approval.requested', 'approval.decided'], (e) => {
        // After the event's own state change is made (events are emitted before it).
        if (e.sessionId === this.session.id) setImmediate(() => this.unwatchServices && this.drawStatus());
      });
    // With a status line, the session's screen is the rows above it: the scroll region keeps it there.
    // A notice or the status line on the bottom rows is trail's: erased, never scrolled into the person's history.
    const overlay = (this.overlay && this.overlay.term === this.term ? this.overlay.lines : 0) + (this.statusOn ? 1 : 0);
    const lead = Promise.resolve(used).then(
      (n) => handover(n ?? this.size.rows, this.size.rows, Math.min(overlay, this.size.rows - 1)) + (this.statusOn ? `\x1b[1;${this.size.rows - 1}r\x1b[H` : ''),
    );
    this.overlay = null; // the handover redraws the whole screen
    const term = this.term;
    term.attach(this.sink, this.termSize, lead, () => {
      this.drawStatus();
      if (!joined) return;
      // A shell draws its prompt again when a new client's size reaches it, over the bottom row: without a
      // status line (where the notice is all a person is told) it comes once output is quiet (at most half a
      // second on), or it would be drawn over at once. With one, at once: delayed, it landed in the middle of
      // a resize's repaint and the repaint lost output (2 runs in 8 of the e2e status-line test).
      if (this.statusOn) return joined();
      void Promise.race([term.quiet(QUIET_MS), new Promise((r) => setTimeout(r, 500))]).then(() => this.term === term && joined());
    });
    this.ctx.manager.clientEvent(this.session, this.term, this.sink, 'client.attached');
  }

  input(data: Buffer): void {
    this.term.input(this.sink, data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    const t = this.termSize;
    this.term.requestSize(this.sink, t.cols, t.rows);
    if (!this.statusOn) return;
    // The outer terminal dropped its scroll region when it resized: set again at once, so output that comes
    // before the repaint scrolls above the status line rather than over it.
    this.drawStatus();
    void this.repaint();
  }

  /**
   * With a status line, a resize redraws the whole screen: the outer terminal
   * reflowed its rows and may have put the cursor outside the session's region.
   */
  private repaint(): Promise<void> {
    const term = this.term;
    return this.fromMirror(
      term,
      () => term === this.term && this.statusOn,
      (screen, cursor) => {
        const rows = this.size.rows;
        let out = '\x1b[r\x1b[0m';
        for (let y = 1; y <= rows; y++) out += `\x1b[${y};1H\x1b[2K${y <= screen.length && y < rows ? screen[y - 1] : ''}`;
        out += `\x1b[0m\x1b[1;${rows - 1}r\x1b[${Math.min(cursor.y + 1, rows - 1)};${cursor.x + 1}H`;
        return out + this.statusBytes();
      },
    );
  }

  /**
   * Writes what draw makes of the mirror's screen, only if it is as new as
   * what the client has: drawn after newer output, older rows would blank it
   * (a prompt, a command's output). The relay writes it only if the mirror has
   * had every chunk it read, checked and queued under the lock it relays
   * output under; else the mirror is read again once output is quiet.
   */
  private async fromMirror(
    term: Terminal,
    still: () => boolean,
    draw: (screen: string[], cursor: { x: number; y: number }, seen: number) => string,
  ): Promise<void> {
    for (let tries = 0; tries < 10; tries++) {
      const seq = term.relayedSeq;
      const seen = term.changes;
      const [screen, cursor] = await Promise.all([term.screenRows(), term.cursor()]);
      if (!screen || !cursor || !still()) return;
      if (term.changes === seen) {
        const buf = Buffer.from(draw(screen, cursor, seen), 'utf8');
        if (!this.sink.relay) return this.sink.data(buf);
        if (this.sink.relay.writeIf(buf, seq)) return;
      }
      await term.quiet(QUIET_MS);
    }
  }

  /** The status line is on (config status: true) where the client has room for it. */
  private get statusOn(): boolean {
    return this.ctx.settings.status && this.size.rows >= 3;
  }

  /** The size the terminal gets from this client: its screen, less the status line. */
  private get termSize(): { cols: number; rows: number } {
    return this.statusOn ? { cols: this.size.cols, rows: this.size.rows - 1 } : this.size;
  }

  private statusText(): string {
    const live = this.session.terminals.filter((t) => !t.exited);
    const at = live.indexOf(this.term) + 1;
    const keys = this.keys ? ` · ${keyLabel(this.keys.prefix)} ? keys` : '';
    return ` trail: ${this.session.name} · terminal ${this.term.index} (${at}/${live.length})${this.term.recordingPaused ? ' · not recording' : ''}${this.servicesText()}${this.approvalsText(true)}${keys}`;
  }

  /**
   * Agents' commands waiting for the person: on the status line while they
   * wait (drawn again when the first of them expires), and on arriving at a
   * terminal, where the notice of the request may have come and gone.
   */
  private approvalsText(timed = false): string {
    const waiting = this.ctx.policy.pending(this.ctx.now(), this.session.id);
    if (timed && this.expiryTimer) (clearTimeout(this.expiryTimer), (this.expiryTimer = null));
    if (!waiting.length) return '';
    if (timed) {
      const first = Math.min(...waiting.map((a) => a.expires_at));
      this.expiryTimer = setTimeout(() => this.unwatchServices && this.drawStatus(), Math.max(0, first - this.ctx.now()) + 50).unref();
    }
    const ids = waiting.map((a) => a.id);
    return ` · ${ids.length} waiting for approval: trail approve ${ids.slice(0, 3).join(' ')}${ids.length > 3 ? ' …' : ''}`;
  }

  /** The session's services at a glance: how many are up, and the ones that broke. */
  private servicesText(): string {
    const list = this.ctx.services.of(this.session).list(false);
    if (!list.length) return '';
    const up = list.filter((x) => x.state === 'ready' || x.state === 'running').length;
    const broke = list
      .filter((x) => x.state === 'failed' || x.state === 'gave up' || x.state === 'restarting' || (x.state === 'exited' && x.lastExit !== null && x.lastExit.code !== 0))
      .map((x) => `${x.name} ${x.state}`);
    return ` · services ${up}/${list.length} up${broke.length ? ` (${broke.join(', ')})` : ''}`;
  }

  /** Draws the status line on the bottom row, and keeps the session's screen in the rows above. */
  private statusBytes(): string {
    if (!this.statusOn) return '';
    const { cols, rows } = this.size;
    const text = this.statusText().slice(0, cols);
    // DECSTBM homes the cursor: it is set between cursor save and restore.
    return `\x1b7\x1b[1;${rows - 1}r\x1b[${rows};1H\x1b[0;7m${text}${' '.repeat(cols - text.length)}\x1b[0m\x1b8`;
  }

  private drawStatus(): void {
    const s = this.statusBytes();
    if (s) this.sink.data(Buffer.from(s, 'utf8'));
  }

  /** Leaving: the status line is taken off the client's screen. */
  clearStatus(): void {
    if (this.statusOn) this.sink.data(Buffer.from(`\x1b7\x1b[r\x1b[${this.size.rows};1H\x1b[0m\x1b[2K\x1b8`));
  }

  /**
   * The output on its way to a client with a status line: a scroll region
   * reset is kept above the status line, and what erases or swaps the screen
   * (clear, the alternate screen, a reset) has the status line drawn again.
   */
  rewrite(buf: Buffer): Buffer {
    if (!this.statusOn || !buf.includes(0x1b)) return buf;
    const s = buf.toString('latin1');
    const bottom = this.size.rows - 1;
    let changed = false;
    const out = s.replace(/\x1b\[(\d*)(?:;(\d*))?r/g, (_m, t: string, b: string) => {
      changed = true;
      return `\x1b[${t || '1'};${b && Number(b) <= bottom ? b : bottom}r`;
    });
    const redraw = /\x1b\[[02]?J|\x1b\[\?(?:1049|1047|47)[hl]|\x1bc/.test(s);
    if (!changed && !redraw) return buf;
    const body = changed ? Buffer.from(out, 'latin1') : buf;
    return redraw ? Buffer.concat([body, Buffer.from(this.statusBytes(), 'utf8')]) : body;
  }

  /** Moves this client to another terminal of the session: next, prev, last, new, or an index/id. */
  switchTo(to: string): void {
    const live = this.session.terminals.filter((t) => !t.exited);
    let next: Terminal;
    if (to === 'new') {
      if (this.sink.readOnly) throw new TrailError('invalid', 'a read-only client cannot start terminals');
      next = this.ctx.manager.newTerminal(this.session, { ...this.termSize });
    } else if (to === 'next' || to === 'prev') {
      if (live.length === 0) throw new TrailError('not_found', 'no terminal to switch to');
      const at = live.indexOf(this.term);
      next = live[(at + (to === 'next' ? 1 : live.length - 1) + live.length) % live.length];
    } else if (to === 'last') {
      if (!this.previous || this.previous.exited || !live.includes(this.previous)) throw new TrailError('not_found', 'no last terminal to go back to');
      next = this.previous;
    } else {
      try {
        next = this.ctx.manager.terminal(this.session, to);
      } catch {
        throw new TrailError('not_found', `no terminal ${to} in ${this.session.name}; terminals: ${live.map((t) => t.index).join(' ')}`);
      }
    }
    if (next === this.term) {
      this.flash(`already in terminal ${next.index} of ${this.session.name}`);
      return;
    }
    this.moveTo(next, to === 'new' ? 'new terminal' : 'terminal');
  }

  private moveTo(next: Terminal, what: string, why = ''): void {
    const used = this.term.contentRows();
    this.leave();
    this.previous = this.service === null ? this.term : null;
    this.service = null;
    this.term = next;
    this.join(used, () => this.flashState(`${why}${what} ${next.index} of ${this.session.name} (${this.countLive()})`));
  }

  private countLive(): string {
    const n = this.session.terminals.filter((t) => !t.exited).length;
    return `${n} terminal${n === 1 ? '' : 's'}`;
  }

  /**
   * The terminal this client watches exited: move to another live terminal of
   * the session if there is one (as tmux moves to another window). Returns
   * false when the client should be told the session has no terminal left.
   */
  followAfterExit(exited: { terminal: string; code: number | null }): boolean {
    // A service's program ended: the client leaves with it (its restart is a new program, attached to anew).
    if (exited.terminal !== this.term.id || this.service !== null) return false;
    const live = this.session.terminals.filter((t) => !t.exited && t !== this.term);
    if (!live.length) return false;
    const gone = this.term;
    const next = this.previous && live.includes(this.previous) ? this.previous : live[live.length - 1];
    this.moveTo(next, 'now in terminal', `terminal ${gone.index} exited${exited.code !== null ? ` (code ${exited.code})` : ''}; `);
    this.previous = null;
    return true;
  }

  /** The sessions key: lists the sessions by number; the next key picks one. */
  offerSessions(): void {
    this.offered = this.ctx.manager.list();
    const items = this.offered.slice(0, 9).map((s, i) => `${i + 1} ${s.name}${s === this.session ? '*' : ''}`);
    this.flash(`sessions: ${items.join(' · ')}  (press a number, any other key to stay)`, 10_000);
  }

  /** The key after the sessions key. */
  chooseSession(index: number | null): void {
    const s = index === null ? undefined : this.offered[index - 1];
    const offered = this.offered.length;
    this.offered = [];
    if (!s && index !== null) return this.flash(`no session ${index}: there ${offered === 1 ? 'is 1' : `are ${offered}`}`);
    if (!s) return void this.unflash();
    if (s === this.session) return this.flash(`already in ${s.name}`);
    if (!this.ctx.manager.find(s.name)) return this.flash(`session ${s.name} is gone`);
    const used = this.term.contentRows();
    this.leave();
    this.session = s;
    this.previous = null;
    this.service = null;
    this.term = this.ctx.manager.terminal(s);
    this.join(used, () => this.flashState(`session ${s.name}, terminal ${this.term.index} (${this.countLive()})`));
  }

  /** What a person should know on arriving at a terminal: where they are, and whether it is recorded. */
  private flashState(where?: string): void {
    const t = this.term;
    const parts: string[] = [];
    if (where) parts.push(where);
    const approvals = where && !this.statusOn ? this.approvalsText().slice(3) : '';
    if (approvals) parts.push(approvals);
    if (this.service !== null) parts.push('its output goes to trail svc logs');
    else if (t.shellKind === null) parts.push(`${t.command[0]} has no trail integration: not recorded`);
    else if (t.recordingPaused) parts.push('recording is off here (trail on)');
    if (parts.length) this.flash(parts.join(' · '));
  }

  /**
   * A short message on the bottom rows of the client's screen (as tmux's
   * display-message), drawn over the session's screen and drawn away after
   * `ms` from the screen mirror. The cursor and colours are saved around it.
   */
  flash(message: string | string[], ms = FLASH_MS): void {
    const lines = (Array.isArray(message) ? message : [message]).slice(0, Math.max(1, this.rows() - 1));
    const rows = this.rows();
    const width = this.size.cols;
    let out = '\x1b7';
    lines.forEach((l, i) => {
      const text = ` ${l}`.slice(0, width);
      out += `\x1b[${rows - lines.length + 1 + i};1H\x1b[0;7m${text}${' '.repeat(width - text.length)}`;
    });
    this.sink.data(Buffer.from(out + '\x1b[0m\x1b8', 'utf8'));
    const was = this.overlay;
    if (was) clearTimeout(was.timer);
    const same = was?.term === this.term;
    this.overlay = {
      timer: setTimeout(() => void this.unflash(), ms).unref(),
      lines: Math.max(lines.length, same ? was.lines : 0),
      changes: same ? Math.min(was.changes, this.term.changes) : this.term.changes,
      scrolls: same ? was.scrolls : this.scrollsSeen(this.term),
      term: this.term,
    };
  }

  /**
   * Draws the rows under a notice back as the terminal shows them: only those
   * rows when nothing changed meanwhile. Output may have scrolled the notice
   * up: then, once output is quiet (so the mirror shows what the client has),
   * the whole screen, unless the notice has scrolled off it.
   */
  async unflash(): Promise<void> {
    const o = this.overlay;
    if (!o) return;
    this.overlay = null;
    clearTimeout(o.timer);
    if (o.term !== this.term) return; // a switch drew the whole screen anew
    const changed = this.term.changes !== o.changes;
    if (changed) {
      await this.term.quiet(QUIET_MS);
      const [then, now] = await Promise.all([o.scrolls, this.term.scrolls()]);
      if (then !== null && now !== null && now - then >= this.rows()) return;
    }
    await this.fromMirror(
      o.term,
      () => !this.overlay && o.term === this.term,
      (screen, _cursor, seen) => {
        const rows = Math.min(this.rows(), screen.length);
        const from = changed || seen !== o.changes ? 0 : Math.max(0, rows - o.lines);
        let out = '\x1b7';
        for (let y = from; y < rows; y++) out += `\x1b[${y + 1};1H\x1b[0m\x1b[2K${screen[y]}`;
        return out + '\x1b[0m\x1b8';
      },
    );
  }

  /**
   * Lines the client has seen the terminal scroll: the mirror's count a moment
   * from now, once output already on the client's screen has reached it (the
   * native relay hands output on within 50 ms). Later output counted too only
   * makes a redraw more likely, never a notice left on screen.
   */
  private scrollsSeen(t: Terminal): Promise<number | null> {
    return new Promise((resolve) => setTimeout(resolve, CATCH_UP_MS).unref()).then(() => t.scrolls());
  }

  /** The rows a notice may use: the client's, or the terminal's when another client made it smaller. */
  private rows(): number {
    return Math.min(this.termSize.rows, this.term.rows);
  }

  leave(): void {
    this.unwatchServices?.();
    this.unwatchServices = null;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const o = this.overlay;
    if (o) clearTimeout(o.timer);
    this.term.detach(this.sink);
    if (this.ctx.manager.find(this.session.name) === this.session)
      this.ctx.manager.clientEvent(this.session, this.term, this.sink, 'client.detached');
  }
}

function serviceTerminal(ctx: ApiContext, session: Session, name: string): Terminal {
  const svc = ctx.services.of(session);
  try {
    svc.load();
  } catch {
    /* a broken file: what runs is still there to attach to */
  }
  if (!svc.list(false).some((x) => x.name === name)) throw new TrailError('not_found', `${session.name} has no service named ${name} (trail svc ls lists them)`);
  try {
    return svc.terminal(name);
  } catch (e) {
    throw new TrailError('invalid', (e as Error).message);
  }
}
