// Writes commands to the store as the recorder reports them: the start at
// once, the end at once, git facts and a full-screen program's last screen
// when they come. Everything is redacted before it is written. A write that
// fails is counted, never thrown into the terminal's path: the store's
// health says since when recording fails and how many records were not kept.
import { drawnOverSecrets, redact, redactRaw, REDACTED, type SecretPattern } from '../common/redact.js';
import type { CommandStore } from '../store/commands.js';
import type { CommandSink, EndedCommand, StartedCommand } from './recorder.js';
import { dirtyProbe, gitHead } from './git.js';
import type { StoreHealth } from './store-health.js';
import type { EventBus, EventOf } from './events.js';

const MAX_RAW = 256 * 1024;

export class TrailWriter implements CommandSink {
  private open = false;
  private endedInBatch = false;

  constructor(
    private commands: CommandStore,
    private secrets: SecretPattern[],
    private health: StoreHealth,
    private events?: EventBus,
  ) {}

  started(c: StartedCommand): number | null {
    const id = this.write(c);
    if (id !== null)
      this.tell(c, c.startedAt, { kind: 'command.started', data: { id, command: redact(c.command, this.secrets), cwd: c.cwd === null ? null : redact(c.cwd, this.secrets) } });
    return id;
  }

  /** A command's start or end, heard live on the event bus. */
  private tell(c: StartedCommand, at: number, e: Pick<EventOf<'command.started'>, 'kind' | 'data'> | Pick<EventOf<'command.ended'>, 'kind' | 'data'>): void {
    this.events?.emit({ ...e, sessionId: c.sessionId, terminalId: c.terminalId, at, actor: c.actor } as EventOf<'command.started'> | EventOf<'command.ended'>);
  }

  private write(c: StartedCommand): number | null {
    let git: ReturnType<typeof gitHead> = null;
    try {
      git = c.cwd ? gitHead(c.cwd) : null;
    } catch {
      /* an unreadable .git: no git facts */
    }
    const id = this.health.attempt('a command start', () =>
      this.commands.insert({
        session_id: c.sessionId,
        terminal_id: c.terminalId,
        command: redact(c.command, this.secrets),
        command_bytes: c.commandBytes,
        seq: c.seq,
        cwd: c.cwd === null ? null : redact(c.cwd, this.secrets),
        started_at: c.startedAt,
        ended_at: null,
        duration_ms: null,
        exit_code: null,
        git_root: git ? redact(git.root, this.secrets) : null,
        branch: git?.branch ? redact(git.branch, this.secrets) : null,
        head: git?.head ?? null,
        dirty: null,
        actor: c.actor,
        output: '',
        output_bytes: 0,
        output_truncated: 0,
        raw: null,
        screen: 0,
      }),
    );
    if (id === null || !git) return id;
    // whether the tree is dirty comes later (one status probe per repository at a time)
    const g = git;
    void dirtyProbe(g.root).then((dirty) => {
      if (dirty === null) return;
      this.health.attempt('git facts', () =>
        this.commands.setGit(id, {
          git_root: redact(g.root, this.secrets),
          branch: g.branch === null ? null : redact(g.branch, this.secrets),
          head: g.head,
          dirty: dirty ? 1 : 0,
        }),
      );
    });
    return id;
  }

  /**
   * Groups writes into one commit: a commit costs more than the writes of a
   * command. The writes of a chunk that ended a command are committed before
   * the chunk is let go (the native relay counts it taken only then, and reads
   * on only while few marks are untaken); starts alone wait for the end of
   * the event loop's turn.
   */
  batch(fn: () => void): void {
    if (!this.open) {
      this.open = this.health.attempt('a batch of records', () => this.commands.begin()) === true;
      if (this.open) setImmediate(() => this.flush());
    }
    this.endedInBatch = false;
    fn();
    if (this.endedInBatch) this.flush();
  }

  /** Commits the open batch (at the end of a turn, and when the daemon stops). */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    this.health.attempt('a batch of records', () => this.commands.commit());
  }

  ended(id: number | null, c: StartedCommand, e: EndedCommand): void {
    this.endedInBatch = true;
    const end = this.endRow(c, e);
    let kept = id;
    // false: the start's row is not there (its batch was not kept): write it whole.
    if (id === null || this.health.attempt('a command end', () => this.commands.end(id, end)) === false) {
      // Its start could not be written: write it whole now.
      kept = this.write(c);
      if (kept !== null) this.health.attempt('a command end', () => this.commands.end(kept!, end));
    }
    if (kept !== null) this.tell(c, e.endedAt, { kind: 'command.ended', data: { id: kept, exitCode: e.exitCode, durationMs: end.duration_ms, endReason: e.endReason } });
  }

  screen(id: number, _c: StartedCommand, e: EndedCommand): void {
    this.health.attempt('a full-screen program’s last screen', () =>
      this.commands.setOutput(id, { output: redact(e.output, this.secrets), raw: null, screen: e.screen ? 1 : 0 }),
    );
  }

  private endRow(c: StartedCommand, e: EndedCommand) {
    // A secret a carriage return drew over (its keyword gone from what is shown): found as written, taken
    // out of what is shown wherever it still stands, and the bytes as written are not kept.
    const hidden = e.raw ? drawnOverSecrets(e.raw, this.secrets) : [];
    let output = redact(e.output, this.secrets);
    for (const s of hidden) output = output.split(s).join(REDACTED);
    return {
      ended_at: e.endedAt,
      duration_ms: e.endedAt - c.startedAt,
      exit_code: e.exitCode,
      end_reason: e.endReason,
      output,
      output_bytes: e.outputBytes,
      output_truncated: e.truncated ? 1 : 0,
      raw: e.raw && e.raw.length <= MAX_RAW && !hidden.length ? redactRaw(e.raw, this.secrets) : null,
      screen: e.screen ? 1 : 0,
    };
  }
}
