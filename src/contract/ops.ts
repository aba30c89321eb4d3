// The one typed contract of trail's operations: each one's name, what it
// does, its input and its output, as zod schemas. No Node imports: the
// daemon's api binds handlers to these, the daemon client calls them by name
// (a wrong name, argument or field fails the build), and a browser bundle or
// the MCP server can import them as they are. The CLI imports only the types
// (zod costs a client ~80 ms of start-up).
import { z } from 'zod';

import { IMPORT_SOURCES } from '../common/history-formats.js';

// ---- what operations return ----

export const SessionView = z.object({
  name: z.string(),
  dir: z.string(),
  terminals: z.number(),
  clients: z.number(),
  createdAt: z.number(),
  lastActiveAt: z.number(),
});
export type SessionView = z.infer<typeof SessionView>;

export const TerminalView = z.object({
  id: z.string(),
  index: z.number(),
  session: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  pid: z.number().nullable(),
  cols: z.number(),
  rows: z.number(),
  clients: z.number(),
  shell: z.string().nullable(),
  integrated: z.boolean(),
  createdAt: z.number(),
  exitedAt: z.number().nullable(),
  exitCode: z.number().nullable(),
});
export type TerminalView = z.infer<typeof TerminalView>;

export const CommandView = z.object({
  id: z.number(),
  session: z.string(),
  terminal: z.string().nullable(),
  command: z.string(),
  cwd: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  exitCode: z.number().nullable(),
  /** Why the command has no exit status (the terminal ended, the daemon stopped), if it has ended without one. */
  endReason: z.string().nullable(),
  /** The shell's own number for this command line. */
  seq: z.number().nullable(),
  /** The full length of a command line kept as head and tail; null when it is kept whole. */
  commandBytes: z.number().nullable(),
  git: z.object({ root: z.string().nullable(), branch: z.string().nullable(), head: z.string().nullable(), dirty: z.boolean().nullable() }).nullable(),
  actor: z.string(),
  /** The host it ran on, where an imported history says. */
  host: z.string().nullable(),
  outputBytes: z.number(),
  outputTruncated: z.boolean(),
  screen: z.boolean(),
  output: z.string().optional(),
  raw: z.string().nullable().optional(),
});
export type CommandView = z.infer<typeof CommandView>;

export const SearchHit = CommandView.extend({
  match: z.object({ field: z.enum(['command', 'output']), line: z.number(), excerpt: z.string() }).nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const Pause = z.object({ session: z.string(), terminal: z.number(), from: z.number(), to: z.number().nullable() });
export type Pause = z.infer<typeof Pause>;

const RecordingHealth = z.object({ ok: z.boolean(), failingSince: z.number().nullable(), notKept: z.number(), lastError: z.string().nullable() });

export const DaemonStatus = z.object({
  pid: z.number(),
  version: z.string(),
  home: z.string(),
  startedAt: z.number(),
  sessions: z.number(),
  terminals: z.number(),
  rss: z.number(),
  relay: z.string(),
  recording: RecordingHealth,
  /** Bytes of the store by kind (commands with their output, the search indexes, services' output, events, notes, other), and the whole file. */
  store: z.object({ file: z.number(), commands: z.number(), index: z.number(), serviceOutput: z.number(), events: z.number(), notes: z.number(), other: z.number(), wal: z.number() }).nullable(),
  /** Where agents reach MCP over HTTP (null: not served). */
  mcpUrl: z.string().nullable(),
  /** Why MCP over HTTP is not served, when it should be (the port taken). */
  httpProblem: z.string().nullable(),
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

export const ServiceInfo = z.object({
  name: z.string(),
  command: z.string(),
  state: z.enum(['stopped', 'waiting', 'starting', 'running', 'ready', 'restarting', 'exited', 'gave up', 'failed', 'stopping']),
  pid: z.number().nullable(),
  startedAt: z.number().nullable(),
  readyAt: z.number().nullable(),
  restarts: z.number(),
  lastExit: z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.number() }).nullable(),
  /** Why it is not running, when it failed or gave up. */
  reason: z.string().nullable(),
  /** The TCP ports its processes listen on (from /proc). */
  ports: z.array(z.number()),
  /** It runs in a terminal of its own (tty: true): trail svc attach NAME. */
  tty: z.boolean(),
  /** How it is known to be ready (null: no ready probe, ready once started). */
  probe: z.enum(['port', 'http', 'log', 'exec']).nullable(),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

/** line: as a person saw it; raw: as the service wrote it, colours and all, when it had any. */
export const ServiceLogLine = z.object({ id: z.number(), at: z.number(), stream: z.enum(['out', 'err']), line: z.string(), raw: z.string().nullable() });
export type ServiceLogLine = z.infer<typeof ServiceLogLine>;

// ---- inputs shared by several operations ----

const termSpec = {
  command: z.array(z.string()).min(1).optional(),
  shell: z.string().optional(),
  cols: z.number().int().min(2).max(1000).optional(),
  rows: z.number().int().min(1).max(1000).optional(),
};

const filters = {
  session: z.string().optional(),
  dir: z.string().optional(),
  failed: z.boolean().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  branch: z.string().optional(),
};
export const Filters = z.object(filters);

const RunningCommand = z.object({ session: z.string(), terminal: z.number(), command: z.string() });

export { SERVICE_EVENT_KINDS } from '../common/service-events.js';

// ---- the operations ----


/** A rule's pattern: PROGRAM [ARG…], or /REGEX/ on the text. */
const RulePattern = z.string().min(1).max(500);

/** A rule for agents' commands, with whether it is one of trail's defaults. */
export const RuleView = z.object({ action: z.enum(['allow', 'confirm', 'deny']), pattern: z.string(), default: z.boolean() });

/** A command an agent asked to run that waits for the person (or waited). */
export const ApprovalView = z.object({
  id: z.number(),
  session: z.string(),
  actor: z.string(),
  command: z.string(),
  reasons: z.array(z.string()),
  state: z.enum(['pending', 'approved', 'denied', 'expired']),
  createdAt: z.number(),
  expiresAt: z.number(),
  decidedBy: z.string().nullable(),
  handle: z.number().nullable(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

/** A note someone left in a session: on a command, a service or a file line. */
export const NoteView = z.object({
  id: z.number(),
  session: z.string(),
  text: z.string(),
  actor: z.string(),
  createdAt: z.number(),
  commandId: z.number().nullable(),
  service: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  pinned: z.boolean(),
  doneAt: z.number().nullable(),
  /** On a file line: the line's text when the note was left, and now (null: the file or line is gone). */
  lineThen: z.string().nullable(),
  lineNow: z.string().nullable(),
  /** The file has changed at that line since: the note may no longer be right. */
  stale: z.boolean(),
});
export type NoteView = z.infer<typeof NoteView>;

/**
 * What happened in a session since an identity's last visit, computed from
 * the trail, the store and live probes (git, processes): every item is a fact.
 */
export const Briefing = z.object({
  session: z.string(),
  dir: z.string(),
  identity: z.string(),
  /** The end of the last visit (null: none; the briefing then covers the session's life). */
  since: z.number().nullable(),
  now: z.number(),
  /** The current chapter's title (trail reset --title). */
  chapter: z.string().nullable(),
  /** Nothing happened while away (only where you were and notes to show). */
  quiet: z.boolean(),
  services: z.array(
    z.object({
      service: z.string(),
      crashes: z.number(),
      restarts: z.number(),
      gaveUp: z.boolean(),
      failed: z.string().nullable(),
      state: z.string(),
      reason: z.string().nullable(),
      lastLine: z.string().nullable(),
      at: z.number(),
    }),
  ),
  /** Failures since; passedLater: the same line, run again in the same directory, has since succeeded (not news any more). */
  failed: z.array(
    z.object({
      id: z.number(), command: z.string(), exitCode: z.number(), excerpt: z.string().nullable(), endedAt: z.number(), terminal: z.number().nullable(), actor: z.string(),
      passedLater: z.object({ id: z.number(), endedAt: z.number(), actor: z.string() }).nullable(),
    }),
  ),
  /** Commands running when you left, and how they ended. */
  finished: z.array(z.object({ id: z.number(), command: z.string(), exitCode: z.number().nullable(), durationMs: z.number().nullable(), endedAt: z.number(), excerpt: z.string().nullable() })),
  /** Commands running now that started at least a minute ago. */
  running: z.array(z.object({ id: z.number().nullable(), command: z.string(), startedAt: z.number(), terminal: z.number(), lastLine: z.string().nullable() })),
  git: z
    .object({
      root: z.string(),
      branchThen: z.string().nullable(),
      branchNow: z.string().nullable(),
      commits: z.number(),
      subjects: z.array(z.string()),
      changed: z.array(z.string()),
      changedCount: z.number(),
    })
    .nullable(),
  /** Other people's and agents' doings while away. */
  others: z.array(z.object({ actor: z.string(), commands: z.number(), failed: z.number(), notes: z.number(), attached: z.number(), acted: z.number(), refused: z.number() })),
  /** Commands agents asked to run that wait for the person (trail approve). */
  waiting: z.array(z.object({ id: z.number(), actor: z.string(), command: z.string() })),
  /** Per terminal: where it is and the last commands run there before you left. */
  where: z.array(z.object({ terminal: z.number(), cwd: z.string().nullable(), branch: z.string().nullable(), last: z.array(z.object({ id: z.number(), command: z.string(), exitCode: z.number().nullable(), actor: z.string() })) })),
  notes: z.array(NoteView),
  /** Items left out to keep it short (see --full). */
  more: z.number(),
});
export type Briefing = z.infer<typeof Briefing>;

/** What running a command gives at once (terminal.run; MCP's run_command adds the wait's result). */
export const RunStarted = z.object({
  status: z.enum(['started', 'awaiting approval']),
  handle: z.number().nullable(),
  terminal: z.number().nullable(),
  approval: z.number().nullable(),
  reasons: z.array(z.string()),
});
/** A run's picture of the terminal, checked before anything is typed. */
/** What a person lets agents do in a session (trail policy), and what a token allows: each level includes those before it. */
export const AgentLevel = z.enum(['read', 'notes', 'run']);
export type AgentLevel = z.infer<typeof AgentLevel>;
/** The levels in order, least first. */
export const LEVELS = AgentLevel.options;

export const RunExpect = z.object({ cwd: z.string().max(4096).optional(), branch: z.string().max(500).optional() });

export const ops = {
  'daemon.status': { summary: 'the running daemon: pid, version, state dir, sessions', input: z.object({}), output: DaemonStatus },
  'daemon.stop': {
    summary: 'stop the daemon (its terminals end); refused without force while clients are attached or commands run',
    input: z.object({ force: z.boolean().default(false) }),
    output: z.object({ stopping: z.literal(true), pid: z.number(), terminals: z.number(), running: z.array(RunningCommand) }),
  },
  'session.list': { summary: 'all sessions', input: z.object({}), output: z.array(SessionView) },
  'session.current': {
    summary: "the session a command means when it names none: the one its terminal runs in (by the terminal's id, so a rename is seen), else the one for its directory",
    input: z.object({ terminal: z.string().optional(), dir: z.string().optional() }),
    output: z.object({ name: z.string().nullable() }),
  },
  'session.new': {
    summary: 'create a session bound to a directory',
    input: z.object({ name: z.string().optional(), dir: z.string(), ...termSpec }),
    output: SessionView,
  },
  'session.ensure': {
    summary: 'the session for a directory (its git root), created if missing',
    input: z.object({ dir: z.string(), ...termSpec }),
    output: SessionView.extend({ created: z.boolean() }),
  },
  'session.kill': { summary: 'end a session and its terminals (its trail is kept)', input: z.object({ name: z.string() }), output: z.object({ killed: z.string() }) },
  'session.rename': { summary: 'rename a session', input: z.object({ from: z.string(), to: z.string() }), output: SessionView },
  'term.new': { summary: 'start another terminal in a session', input: z.object({ session: z.string(), ...termSpec }), output: TerminalView },
  'term.list': { summary: "a session's terminals", input: z.object({ session: z.string() }), output: z.array(TerminalView) },
  'term.recording': {
    summary: 'stop (trail off) or restart (trail on) recording one terminal',
    input: z.object({ terminal: z.string(), on: z.boolean() }),
    output: z.object({ session: z.string(), terminal: z.number(), recording: z.boolean(), changed: z.boolean() }),
  },
  'term.kill': { summary: 'end one terminal of a session', input: z.object({ session: z.string(), terminal: z.string() }), output: z.object({ killed: z.string() }) },
  'trail.log': {
    summary: 'the timeline of commands, newest last',
    input: z.object({ ...filters, limit: z.number().int().min(1).max(10_000).default(50) }),
    output: z.array(CommandView),
  },
  'trail.count': { summary: 'how many commands match the filters (what trail log did not show)', input: Filters, output: z.object({ count: z.number() }) },
  'trail.events': {
    summary: "the services' events in the trail (started, ready, exited, restarting, gave up, failed, stopped, left by a killed daemon), oldest first",
    input: z.object({ session: z.string().optional(), since: z.number().optional() }),
    output: z.array(z.object({ session: z.string(), at: z.number(), kind: z.string(), service: z.string(), text: z.string() })),
  },
  'trail.pauses': {
    summary: 'when recording was paused (trail off) and resumed, per terminal',
    input: z.object({ session: z.string().optional() }),
    output: z.array(Pause),
  },
  'command.show': { summary: 'one command with its kept output', input: z.object({ id: z.number().int() }), output: CommandView },
  'command.search': {
    summary: 'full-text (substring) search over command lines and output',
    input: z.object({
      // Longer text would only scan longer, holding the event loop (and recording) meanwhile.
      text: z.string().min(1).max(1000, 'the search text is longer than 1,000 characters: search for a part of it'),
      in: z.enum(['all', 'command', 'output']).default('all'),
      ...filters,
      limit: z.number().int().min(1).max(1000).default(20),
    }),
    output: z.array(SearchHit),
  },
  'trail.import': {
    summary: "adds commands from another tool's history (trail import); an entry imported before is skipped",
    input: z.object({
      source: z.enum(IMPORT_SOURCES),
      entries: z
        .array(
          z.object({
            command: z.string().min(1).max(65_536),
            startedAt: z.number().int().min(0),
            durationMs: z.number().int().min(0).nullable(),
            exitCode: z.number().int().nullable(),
            cwd: z.string().max(4096).nullable(),
            host: z.string().max(255).nullable(),
            key: z.string().min(1).max(200),
          }),
        )
        .max(5000),
    }),
    output: z.object({ added: z.number(), skipped: z.number() }),
  },
  'command.last': { summary: 'the last (failing) command and its output', input: Filters, output: CommandView },
  'svc.list': {
    summary: "a session's services, from its trail.yaml or Procfile: state, pid, restarts, readiness, why one stopped, ports (unless ports: false)",
    input: z.object({ session: z.string(), ports: z.boolean().default(true) }),
    output: z.object({ dir: z.string(), file: z.string().nullable(), kind: z.string().nullable(), warnings: z.array(z.string()), services: z.array(ServiceInfo) }),
  },
  'svc.up': {
    summary: "starts a session's services (or the named ones and what they depend on) in dependency order; returns at once",
    input: z.object({ session: z.string(), names: z.array(z.string()).default([]), actor: z.string().max(200).default('cli') }),
    output: z.object({ starting: z.array(z.string()), warnings: z.array(z.string()) }),
  },
  'svc.down': {
    summary: "stops a session's services (or the named ones), dependents first; returns once they are stopped",
    input: z.object({ session: z.string(), names: z.array(z.string()).default([]), by: z.string().max(100).default('trail down'), actor: z.string().max(200).default('cli') }),
    output: z.object({ stopped: z.array(z.string()) }),
  },
  'svc.reload': {
    summary: "reads a session's service file again: restarts only the running services whose definition changed, stops those no longer declared",
    input: z.object({ session: z.string() }),
    output: z.object({ restarted: z.array(z.string()), removed: z.array(z.string()) }),
  },
  'svc.search': {
    summary: "services' output lines that contain a text (any case), newest first, with their session, service and time",
    input: z.object({
      text: z.string().min(1).max(1000),
      session: z.string().optional(),
      svc: z.string().optional(),
      since: z.string().optional(),
      limit: z.number().int().min(1).max(1000).default(20),
    }),
    output: z.array(ServiceLogLine.extend({ session: z.string(), service: z.string() })),
  },
  'session.brief': {
    summary: "what happened in a session since this identity's last visit (services that broke, failed commands, what finished, git, others, where you were, notes); onAttach: only when away long enough",
    input: z.object({
      session: z.string(),
      identity: z.string().max(200),
      since: z.string().optional(),
      full: z.boolean().default(false),
      onAttach: z.boolean().default(false),
      /** Count this as a visit (the next briefing starts from now); left out: only for an identity that never attaches (an agent), whose reading is its visit. */
      mark: z.boolean().optional(),
    }),
    output: z.object({ show: z.boolean(), briefing: Briefing.nullable() }),
  },
  'session.context': {
    summary: 'what an assistant needs to continue: the briefing, open notes, recent commands (failures first) with output excerpts, services with their last lines; never over the budget (tokens: characters / 4, rounded up)',
    input: z.object({
      session: z.string(),
      identity: z.string().max(200),
      since: z.string().optional(),
      budget: z.number().int().min(200).max(1_000_000).default(8000),
      format: z.enum(['md', 'json']).default('md'),
    }),
    output: z.object({ text: z.string(), tokens: z.number(), budget: z.number(), omitted: z.object({ fact: z.number(), note: z.number(), command: z.number(), service: z.number() }) }),
  },
  'session.reset': {
    summary: 'starts a new chapter of a session: the briefing and context look at it only; everything before stays in the trail',
    input: z.object({ session: z.string(), title: z.string().max(500).optional(), actor: z.string().max(200) }),
    output: z.object({ session: z.string(), at: z.number(), title: z.string().nullable() }),
  },
  'trail.forget': {
    summary: 'removes commands (by id, by time, or holding a text) with their output, and by text or time service output lines and notes too, from the tables, the search indexes and the database file',
    input: z.object({
      ids: z.array(z.number().int()).max(100_000).default([]),
      session: z.string().optional(),
      since: z.string().optional(),
      until: z.string().optional(),
      match: z.string().max(1000).optional(),
    }),
    output: z.object({ commands: z.number(), notes: z.number(), lines: z.number(), events: z.number(), walCleared: z.boolean() }),
  },
  'session.policy': {
    summary:
      "what agents may do in a session (read, the default; notes; run) and the rules for the commands they run (allow, confirm, deny by pattern, beside the default confirm rules), set by the person only: an agent's call to change them is refused",
    input: z.object({
      session: z.string(),
      level: AgentLevel.optional(),
      allow: z.array(RulePattern).max(100).default([]),
      confirm: z.array(RulePattern).max(100).default([]),
      deny: z.array(RulePattern).max(100).default([]),
      remove: z.array(z.string().max(500)).max(100).default([]),
      actor: z.string().max(200),
    }),
    output: z.object({ session: z.string(), level: AgentLevel, rules: z.array(RuleView) }),
  },
  'terminal.run': {
    summary:
      "types a command line at a terminal's prompt (the session's agent terminal, made on demand, unless one is named) and returns its handle, the command's id, once it starts; needs policy run for an agent. A command a confirm rule matches (or one that cannot be checked) waits for the person: the answer is an approval id at once. expect refuses to run when the terminal's directory or branch is not what the caller believes",
    input: z.object({
      session: z.string(),
      command: z.string().min(1).max(10_000),
      terminal: z.string().optional(),
      expect: RunExpect.optional(),
      /** Also wait this long for it to end (one round trip instead of run, then command.wait). */
      waitMs: z.number().int().min(0).max(120_000).default(0),
      actor: z.string().max(200),
    }),
    output: RunStarted.extend({ waited: z.object({ done: z.boolean(), command: CommandView }).nullable() }),
  },
  'approval.list': {
    summary: 'the approvals waiting for the person (of a session, or all)',
    input: z.object({ session: z.string().optional() }),
    output: z.array(ApprovalView),
  },
  'approval.decide': {
    summary: "the person approves (the command then runs) or denies a command an agent asked to run; an agent's call is refused",
    input: z.object({ id: z.number().int(), approve: z.boolean(), actor: z.string().max(200) }),
    output: ApprovalView,
  },
  'approval.wait': {
    summary: 'waits up to timeoutMs for the person to decide an approval; returns it as it stands (with the command handle once approved and started)',
    input: z.object({ id: z.number().int(), timeoutMs: z.number().int().min(0).max(120_000).default(30_000) }),
    output: ApprovalView,
  },
  'agent.action': {
    summary: "keeps an agent's tool call in the trail (tool, arguments, outcome), so the person sees what agents did",
    input: z.object({ actor: z.string().max(200), session: z.string().optional(), tool: z.string().max(100), args: z.string().max(2000), outcome: z.enum(['ok', 'error', 'refused']), detail: z.string().max(500).optional() }),
    output: z.object({}),
  },
  'command.record': {
    summary: "keeps in the trail a command an agent ran with its own shell tool (its hook reports it): line, cwd, exit code, output",
    input: z.object({
      session: z.string(),
      actor: z.string().max(200),
      command: z.string().min(1).max(100_000),
      cwd: z.string().max(4096).nullable(),
      exitCode: z.number().int().nullable(),
      output: z.string().max(4_000_000),
      durationMs: z.number().int().min(0).nullable().default(null),
    }),
    output: z.object({ id: z.number() }),
  },
  'token.create': {
    summary: 'a token for an agent over HTTP, with the most it may do (its level caps the session policy); shown once, kept hashed',
    input: z.object({ name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, 'a name of letters, digits, . _ -'), level: AgentLevel.default('read'), actor: z.string().max(200) }),
    output: z.object({ name: z.string(), token: z.string(), level: AgentLevel }),
  },
  'token.list': {
    summary: 'the tokens agents may use over HTTP (names, levels, last use; never the tokens)',
    input: z.object({}),
    output: z.array(z.object({ name: z.string(), level: AgentLevel, createdAt: z.number(), lastUsedAt: z.number().nullable() })),
  },
  'token.revoke': {
    summary: 'revokes an HTTP token by name',
    input: z.object({ name: z.string(), actor: z.string().max(200) }),
    output: z.object({ name: z.string() }),
  },
  'command.wait': {
    summary: 'waits up to timeoutMs for a command to end; returns it (exit code, duration, output) and whether it is done',
    input: z.object({ id: z.number().int(), timeoutMs: z.number().int().min(0).max(120_000).default(30_000) }),
    output: z.object({ done: z.boolean(), command: CommandView }),
  },
  'terminal.keys': {
    summary: "sends text and named keys (Enter, C-c, C-d, Escape, Up, Tab, …) to a terminal: answers a prompt or a REPL, stops a command; needs policy run for an agent",
    input: z.object({ session: z.string(), terminal: z.string().optional(), text: z.string().max(10_000).optional(), keys: z.array(z.string()).max(100).default([]), enter: z.boolean().default(false), actor: z.string().max(200) }),
    output: z.object({ terminal: z.number(), bytes: z.number() }),
  },
  'terminal.screen': {
    summary: "a terminal's screen as text (the caller's own agent terminal, or the newest, unless one is named), with the last `scrollback` lines above it, and the command running there",
    input: z.object({ session: z.string(), terminal: z.string().optional(), scrollback: z.number().int().min(0).max(10_000).default(0), actor: z.string().max(200).optional() }),
    output: z.object({ terminal: z.number(), text: z.string(), running: z.object({ id: z.number().nullable(), command: z.string(), startedAt: z.number() }).nullable() }),
  },
  'note.add': {
    summary: 'leaves a note in a session: on a command, a service or a file line, optionally pinned',
    input: z.object({
      session: z.string(),
      text: z.string().min(1).max(10_000),
      actor: z.string().max(200),
      commandId: z.number().int().optional(),
      service: z.string().max(200).optional(),
      file: z.string().max(4096).optional(),
      line: z.number().int().min(1).optional(),
      pinned: z.boolean().default(false),
      /** The caller's directory, for a relative --file. */
      cwd: z.string().optional(),
    }),
    output: NoteView,
  },
  'note.list': {
    summary: "a session's open notes (all with `all`), oldest first, each with whether its file line has changed since",
    input: z.object({ session: z.string().optional(), all: z.boolean().default(false), text: z.string().max(1000).optional() }),
    output: z.array(NoteView),
  },
  'note.done': {
    summary: 'marks a note done (it stays in the trail, no longer open)',
    input: z.object({ id: z.number().int(), actor: z.string().max(200).default('cli') }),
    output: NoteView,
  },
  'note.rm': {
    summary: 'removes a note',
    input: z.object({ id: z.number().int() }),
    output: z.object({ removed: z.number() }),
  },
  'svc.logs': {
    summary: "a service's output lines, oldest first: the last `limit`, after a line id, since a time, containing a text, one stream",
    input: z.object({
      session: z.string(),
      name: z.string(),
      limit: z.number().int().min(1).max(10_000).default(100),
      afterId: z.number().int().optional(),
      since: z.string().optional(),
      grep: z.string().max(1000).optional(),
      stream: z.enum(['out', 'err']).optional(),
    }),
    output: z.array(ServiceLogLine),
  },
} as const;

export type OpName = keyof typeof ops;

/** The operations that only read the trail: answered from the store when no daemon runs (api/offline.ts). */
export const READ_OPS = ['trail.log', 'trail.pauses', 'trail.events', 'trail.count', 'command.show', 'command.search', 'command.last'] as const satisfies readonly OpName[];
export type ReadOp = (typeof READ_OPS)[number];
/** What a caller passes (defaults may be left out). */
export type OpInput<K extends OpName> = z.input<(typeof ops)[K]['input']>;
/** What a handler gets (defaults filled in). */
export type OpParsed<K extends OpName> = z.output<(typeof ops)[K]['input']>;
export type OpOutput<K extends OpName> = z.output<(typeof ops)[K]['output']>;
