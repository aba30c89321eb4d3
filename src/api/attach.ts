// Attaching a client to a terminal: the streaming side of the api. A transport
// supplies a ClientSink and forwards input, resizes and switches to the handle.
import { TrailError } from '../common/errors.js';
import type { ApiContext } from './context.js';
import type { ClientSink, Terminal } from '../daemon/terminal.js';
import type { Session } from '../daemon/sessions.js';
import { terminalView } from './views.js';

export type AttachRequest = { session: string; terminal?: string; cols: number; rows: number };

export class Attachment {
  private term: Terminal;
  private session: Session;
  private size: { cols: number; rows: number };

  constructor(
    private ctx: ApiContext,
    private sink: ClientSink,
    req: AttachRequest,
  ) {
    this.session = ctx.manager.get(req.session);
    this.size = { cols: req.cols, rows: req.rows };
    this.term = ctx.manager.terminal(this.session, req.terminal);
    this.join();
  }

  get info() {
    return { session: this.session.name, terminal: terminalView(this.session, this.term), terminals: this.session.terminals.length };
  }

  private join(): void {
    this.term.attach(this.sink, this.size);
    this.ctx.manager.clientEvent(this.session, this.term, this.sink, 'client.attached');
  }

  input(data: Buffer): void {
    this.term.input(this.sink, data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.term.requestSize(this.sink, cols, rows);
  }

  /** Moves this client to another terminal of the session: next, prev, new, or an index/id. */
  switchTo(to: string): void {
    const live = this.session.terminals.filter((t) => !t.exited);
    let next: Terminal;
    if (to === 'new') {
      if (this.sink.readOnly) throw new TrailError('invalid', 'a read-only client cannot start terminals');
      next = this.ctx.manager.newTerminal(this.session, { ...this.size });
    } else if (to === 'next' || to === 'prev') {
      if (live.length === 0) throw new TrailError('not_found', 'no terminal to switch to');
      const at = live.indexOf(this.term);
      next = live[(at + (to === 'next' ? 1 : live.length - 1) + live.length) % live.length];
    } else next = this.ctx.manager.terminal(this.session, to);
    if (next === this.term) return;
    this.leave();
    this.term = next;
    this.join();
  }

  /**
   * The terminal this client watches exited: move to another live terminal of
   * the session if there is one (as tmux moves to another window). Returns
   * false when the client should be told the session has no terminal left.
   */
  followAfterExit(exitedTerminal: string): boolean {
    if (exitedTerminal !== this.term.id) return false;
    const live = this.session.terminals.filter((t) => !t.exited && t !== this.term);
    if (!live.length) return false;
    this.term.detach(this.sink);
    this.term = live[live.length - 1];
    this.join();
    return true;
  }

  leave(): void {
    this.term.detach(this.sink);
    if (this.ctx.manager.find(this.session.name) === this.session)
      this.ctx.manager.clientEvent(this.session, this.term, this.sink, 'client.detached');
  }
}
