// Turns the marks shell integration leaves into command records: what was run,
// where, when, how it ended, and what it printed. Marks signed with the
// terminal's nonce (OSC 633) are trusted; unsigned ones are ignored, so a file
// that is `cat`ed cannot forge a command. OSC 133/7 count only in terminals
// whose shell we did not set up ourselves.
//
// A command is handed to the sink as soon as it has started and its line is
// known, and again when it ends, both synchronously: a daemon killed at any
// moment after an end mark was read has that command's end written.
import type { Mark } from '../shell/marks.js';
import type { Mirror } from './mirror.js';
import { OutputCapture } from './output-capture.js';

export type StartedCommand = {
  sessionId: string;
  terminalId: string;
  command: string;
  /** The full length of a command line kept as head and tail; null when kept whole. */
  commandBytes: number | null;
  /** The shell's own count of command lines. */
  seq: number | null;
  cwd: string | null;
  startedAt: number;
  actor: string;
};

export type EndedCommand = {
  endedAt: number;
  exitCode: number | null;
  /** Why there is no exit status: the terminal ended, no end mark came, the daemon stopped. */
  endReason: string | null;
  output: string;
  raw: string;
  outputBytes: number;
  truncated: boolean;
  screen: boolean;
};

export interface CommandSink {
  /** Writes a command that started; returns its id, or null when it could not be written. */
  started(c: StartedCommand): number | null;
  /** Completes it (or writes it whole, when its start could not be written). */
  ended(id: number | null, c: StartedCommand, e: EndedCommand): void;
  /** A full-screen program's last screen, known a moment after the end. */
  screen(id: number, c: StartedCommand, e: EndedCommand): void;
  /** Runs fn with its writes grouped (one commit for the marks of one chunk of output). */
  batch(fn: () => void): void;
}

export const UNKNOWN_LINE = '(command line not recorded)';

type Running = {
  /** Whose command it is: the terminal's owner, or who typed it there (an agent's run in the person's terminal). */
  actor: string;
  command: string | null;
  commandBytes: number | null;
  seq: number | null;
  cwd: string | null;
  startedAt: number;
  capture: OutputCapture;
  inAlt: boolean;
  /** The command's output is over; bytes until the end mark are the shell's own. */
  outputOver: boolean;
  /** No output kept yet: the shell's preamble may come first. */
  fresh: boolean;
  lastScreen: string | null;
  /** A screen read asked for and not yet answered. */
  screenRead: Promise<void> | null;
  /** The OSC 133 path: the typed line is read back from the screen. */
  lineRead: Promise<void> | null;
  id: number | null;
  written: boolean;
};

export class Recorder {
  private trusted = false;
  private cwd: string | null;

  /** The shell has drawn its prompt since the last command started: it waits for a line. */
  promptShown = false;
  /** Nothing came since the prompt's end: its line is empty (keys typed there are echoed, so they would show). */
  quietSincePrompt = false;
  /** Told when the prompt shows, or when the terminal ends. */
  private promptWaiters: (() => void)[] = [];

  /** Where the shell is now, as its last prompt said. */
  get currentCwd(): string | null {
    return this.cwd;
  }
  private pendingLine: { text: string; bytes: number | null } | null = null;
  private running: Running | null = null;
  private closed = false;
  private isPaused = false;
  private lastTime = 0;

  constructor(
    private ids: { sessionId: string; terminalId: string },
    private mirror: Mirror,
    private sink: CommandSink,
    cwd: string,
    private now: () => number = Date.now,
    private actor = 'user',
    /** What the shell prints ahead of each command's own output (see OUTPUT_PREAMBLE). */
    private preamble: RegExp | null = null,
  ) {
    this.cwd = cwd;
  }

  /** Who typed the next command, when not the terminal's owner (an agent's run in the person's terminal); null undoes it. */
  typedNext(actor: string | null): void {
    this.typedBy = actor === this.actor ? null : actor;
  }
  private typedBy: string | null = null;

  /** Resolves true once the prompt shows (at once if it does), false after `ms` or when the terminal ends. */
  prompted(ms: number): Promise<boolean> {
    if (this.promptShown) return Promise.resolve(true);
    if (this.closed || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.promptWaiters = this.promptWaiters.filter((w) => w !== done);
        resolve(this.promptShown);
      };
      const timer = setTimeout(done, ms);
      this.promptWaiters.push(done);
    });
  }

  private tellPrompt(): void {
    for (const w of this.promptWaiters.slice()) w();
  }

  /** The command running now, if its line is known. */
  get current(): { command: string; id: number | null; startedAt: number } | null {
    const r = this.running;
    return r && r.command?.trim() ? { command: r.command.trim(), id: r.id, startedAt: r.startedAt } : null;
  }

  /** Whether this terminal's shell has shown it is integrated (a signed mark came). */
  get integrated(): boolean {
    return this.trusted;
  }

  /** Milliseconds that never go backwards within this terminal, whatever the wall clock does. */
  private clock(): number {
    this.lastTime = Math.max(this.now(), this.lastTime);
    return this.lastTime;
  }

  output(buf: Buffer): void {
    if (buf.length) this.quietSincePrompt = false;
    const r = this.running;
    if (!r || r.inAlt || r.outputOver) return;
    if (r.fresh && this.preamble) {
      // The preamble may come in more than one chunk: it is taken off each until the command's own bytes begin.
      const m = this.preamble.exec(buf.toString('latin1'));
      if (m && m[0].length) buf = buf.subarray(m[0].length);
    }
    if (buf.length === 0) return;
    r.fresh = false;
    r.capture.push(buf);
  }

  /**
   * Whether handling this mark reads the screen (a full-screen program's
   * last screen, an OSC 133 command line): the mirror must then have been
   * fed exactly up to it. Other marks need no split in the mirror's input.
   */
  readsScreen(m: Mark): boolean {
    if (m.kind === 'altscreen' || m.kind === 'osc133') return true;
    // The prompt's end is marked where the screen is then (what is typed after it is read back).
    if (m.kind === 'osc633' && m.trusted && m.code === 'B') return true;
    return m.kind === 'osc633' && this.running !== null && this.running.inAlt;
  }

  /**
   * `trail off` / `trail on`: while paused, no command of this terminal is
   * recorded. The command that pauses it (`trail off` itself) ends as usual.
   * Returns false if it was so already.
   */
  pause(on: boolean): boolean {
    if (this.isPaused === on) return false;
    this.isPaused = on;
    return true;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  mark(m: Mark): void {
    switch (m.kind) {
      case 'osc633':
        if (!m.trusted) return;
        this.trusted = true;
        return this.step(m.code, m.params, m.cut);
      case 'osc133':
        if (this.trusted) return;
        return this.step133(m.code, m.params);
      case 'cwd':
        if (!this.trusted) this.cwd = m.dir;
        return;
      case 'altscreen':
        return this.altScreen(m.on);
    }
  }

  private step(code: string, params: string[], cut?: number): void {
    switch (code) {
      case 'P': {
        const p = params.find((x) => x.startsWith('Cwd='));
        if (p) this.cwd = p.slice(4);
        return;
      }
      case 'E': {
        const line = { text: params[0] ?? '', bytes: cut ?? null };
        const r = this.running;
        // bash names a line after its start mark (PS0 starts it, the DEBUG trap or the next prompt names it)
        if (r && r.command === null) {
          r.command = line.text;
          r.commandBytes = line.bytes;
          this.write(r);
        } else this.pendingLine = line;
        return;
      }
      case 'C':
        this.promptShown = false;
        return this.start(this.pendingLine, parseIntOrNull(params[0]));
      case 'B':
        // Where the prompt ends: what is typed after it can be read back (is the line empty before an agent types?).
        this.mirror.markPromptEnd();
        this.promptShown = true;
        this.quietSincePrompt = true;
        this.tellPrompt();
        return;
      case 'O':
        // What follows until the end mark is the shell's, not the command's (zsh's PROMPT_SP filler).
        if (this.running) this.running.outputOver = true;
        return;
      case 'H':
        // The line is to be kept out of the trail (a leading space): nothing of it is written.
        this.running = null;
        this.pendingLine = null;
        return;
      case 'D':
        // A line named but never started (its start came while recording was off) names nothing after it.
        this.pendingLine = null;
        return this.finish(parseIntOrNull(params[0]), null);
      case 'A':
        this.pendingLine = null;
        // A prompt while a command is open means its end mark never came.
        if (this.running) this.finish(null, 'no end mark');
        return;
    }
  }

  private step133(code: string, params: string[]): void {
    switch (code) {
      case 'A':
        if (this.running) this.finish(null, 'no end mark');
        return;
      case 'B':
        this.mirror.markPromptEnd();
        return;
      case 'C': {
        // No command line in OSC 133: read back what was typed after the prompt.
        this.start(null, null);
        const r = this.running;
        if (!r) return;
        r.lineRead = this.mirror.typedSincePromptEnd().then((typed) => {
          r.lineRead = null;
          if (!typed) return;
          r.command = typed;
          this.write(r);
        });
        return;
      }
      case 'D':
        return this.finish(parseIntOrNull(params[0]), null);
    }
  }

  private start(line: { text: string; bytes: number | null } | null, seq: number | null): void {
    if (this.running) this.finish(null, 'no end mark');
    this.pendingLine = null;
    const actor = this.typedBy ?? this.actor;
    this.typedBy = null;
    if (this.isPaused || this.closed) return;
    const r: Running = {
      actor,
      command: line?.text ?? null,
      commandBytes: line?.bytes ?? null,
      seq,
      cwd: this.cwd,
      startedAt: this.clock(),
      capture: new OutputCapture(),
      inAlt: false,
      outputOver: false,
      fresh: true,
      lastScreen: null,
      screenRead: null,
      lineRead: null,
      id: null,
      written: false,
    };
    this.running = r;
    if (r.command !== null) this.write(r);
  }

  private started(r: Running): StartedCommand {
    return {
      ...this.ids,
      command: r.command?.trim() ? r.command.trim() : UNKNOWN_LINE,
      commandBytes: r.commandBytes,
      seq: r.seq,
      cwd: r.cwd,
      startedAt: r.startedAt,
      actor: r.actor,
    };
  }

  /** The start of a command whose line is known, written now. */
  private write(r: Running): void {
    if (r.written || !r.command?.trim()) return;
    r.written = true;
    r.id = this.sink.started(this.started(r));
  }

  private altScreen(on: boolean): void {
    const r = this.running;
    if (!r) return;
    if (on) {
      r.inAlt = true;
      return;
    }
    // Asked before the switch back is written: the answer is the program's last screen.
    r.inAlt = false;
    r.screenRead = this.mirror.screenText().then((text) => {
      r.lastScreen = text;
    });
  }

  private finish(exitCode: number | null, endReason: string | null): void {
    const r = this.running;
    if (!r) return;
    this.running = null;
    const endedAt = this.clock();
    const end = (): EndedCommand => {
      const out = r.capture.text();
      let output = out.text;
      if (r.lastScreen !== null) output = (output.trim() ? output.trimEnd() + '\n' : '') + r.lastScreen;
      return {
        endedAt,
        exitCode,
        endReason,
        output,
        raw: r.lastScreen === null && !out.truncated ? out.raw : '',
        outputBytes: r.capture.total,
        truncated: out.truncated,
        screen: r.lastScreen !== null,
      };
    };
    if (r.lineRead) {
      // OSC 133: the line is still being read back from the screen; a line never typed is no command.
      void r.lineRead.then(() => {
        if (r.command?.trim()) this.sink.ended(r.id, this.started(r), end());
      });
      return;
    }
    // A trusted start mark with no line (never expected from our scripts) is still a command.
    if (!r.written && r.command === null) r.command = UNKNOWN_LINE;
    if (!r.written && !r.command?.trim()) return;
    this.sink.ended(r.id, this.started(r), end());
    // A full-screen program: its last screen completes the record once the mirror has read it.
    const screen = r.inAlt ? this.mirror.screenText().then((t) => void (r.lastScreen = t)) : r.screenRead;
    if (screen && r.id !== null) {
      const id = r.id;
      void screen.then(() => {
        if (r.lastScreen !== null) this.sink.screen(id, this.started(r), end());
      });
    }
  }

  /** The terminal ended (or the daemon stops): a command still open is kept with what it printed. */
  close(reason = 'terminal ended'): void {
    if (this.closed) return;
    if (this.running) this.finish(null, reason);
    this.closed = true;
    this.tellPrompt();
  }
}

function parseIntOrNull(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : null;
}
