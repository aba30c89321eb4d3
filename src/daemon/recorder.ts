// Turns the marks shell integration leaves into command records: what was run,
// where, when, how it ended, and what it printed. Marks signed with the
// terminal's nonce (OSC 633) are trusted; unsigned ones are ignored, so a file
// that is `cat`ed cannot forge a command. OSC 133/7 count only in terminals
// whose shell we did not set up ourselves.
import type { Mark } from '../shell/marks.js';
import type { Mirror } from './mirror.js';
import { OutputCapture } from './output-capture.js';
import { gitContext, type GitContext } from './git.js';

export type CommandRecord = {
  sessionId: string;
  terminalId: string;
  command: string;
  cwd: string | null;
  startedAt: number;
  endedAt: number;
  exitCode: number | null;
  git: GitContext | null;
  actor: string;
  output: string;
  raw: string;
  outputBytes: number;
  truncated: boolean;
  screen: boolean;
};

type Running = {
  command: string | null;
  cwd: string | null;
  startedAt: number;
  capture: OutputCapture;
  git: Promise<GitContext | null>;
  inAlt: boolean;
  lastScreen: string | null;
};

export class Recorder {
  private trusted = false;
  private cwd: string | null;
  private pendingLine: string | null = null;
  private running: Running | null = null;
  private dropped = false;

  constructor(
    private ids: { sessionId: string; terminalId: string },
    private mirror: Mirror,
    private onCommand: (rec: CommandRecord) => void,
    cwd: string,
    private now: () => number = Date.now,
    private actor = 'user',
  ) {
    this.cwd = cwd;
  }

  /** Whether this terminal's shell has shown it is integrated (a signed mark came). */
  get integrated(): boolean {
    return this.trusted;
  }

  output(buf: Buffer): void {
    const r = this.running;
    if (r && !r.inAlt) r.capture.push(buf);
  }

  mark(m: Mark): void {
    switch (m.kind) {
      case 'osc633':
        if (!m.trusted) return;
        this.trusted = true;
        return this.step(m.code, m.params);
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

  private step(code: string, params: string[]): void {
    switch (code) {
      case 'P': {
        const p = params.find((x) => x.startsWith('Cwd='));
        if (p) this.cwd = p.slice(4);
        return;
      }
      case 'E':
        this.pendingLine = params[0] ?? '';
        return;
      case 'C':
        return this.start(this.pendingLine);
      case 'D':
        return this.finish(parseExit(params[0]));
      case 'A':
        // A prompt while a command is open means its end mark never came.
        if (this.running) this.finish(null);
        return;
    }
  }

  private step133(code: string, params: string[]): void {
    switch (code) {
      case 'A':
        if (this.running) this.finish(null);
        return;
      case 'B':
        this.mirror.markPromptEnd();
        return;
      case 'C': {
        // No command line in OSC 133: read back what was typed after the prompt.
        this.start(null);
        const r = this.running!;
        void this.mirror.typedSincePromptEnd().then((typed) => {
          if (typed) r.command = typed;
        });
        return;
      }
      case 'D':
        return this.finish(parseExit(params[0]));
    }
  }

  private start(line: string | null): void {
    if (this.running) this.finish(null);
    const cwd = this.cwd;
    this.running = {
      command: line,
      cwd,
      startedAt: this.now(),
      capture: new OutputCapture(),
      git: cwd ? gitContext(cwd).catch(() => null) : Promise.resolve(null),
      inAlt: false,
      lastScreen: null,
    };
    this.pendingLine = null;
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
    void this.mirror.screenText().then((text) => (r.lastScreen = text));
  }

  private finish(exitCode: number | null): void {
    const r = this.running;
    if (!r) return;
    this.running = null;
    const endedAt = this.now();
    // Answers come in the order asked: this one comes after every screen read
    // already asked for, so the record is whole.
    const screen = r.inAlt ? this.mirror.screenText() : this.mirror.sync().then(() => null);
    void screen.then((text) => {
      if (text !== null) r.lastScreen = text;
      void this.complete(r, endedAt, exitCode);
    });
  }

  private async complete(r: Running, endedAt: number, exitCode: number | null): Promise<void> {
    const command = (r.command ?? '').trim();
    if (!command) return;
    const out = r.capture.text();
    let output = out.text;
    if (r.lastScreen !== null) output = (output.trim() ? output.trimEnd() + '\n' : '') + r.lastScreen;
    const git = await r.git;
    this.onCommand({
      ...this.ids,
      command,
      cwd: r.cwd,
      startedAt: r.startedAt,
      endedAt,
      exitCode,
      git,
      actor: this.actor,
      output,
      raw: r.lastScreen === null && !out.truncated ? out.raw : '',
      outputBytes: r.capture.total,
      truncated: out.truncated,
      screen: r.lastScreen !== null,
    });
  }

  /** The terminal ended: a command still open is kept with what it printed. */
  close(): void {
    if (this.dropped) return;
    this.dropped = true;
    if (this.running) this.finish(null);
  }
}

function parseExit(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : null;
}
