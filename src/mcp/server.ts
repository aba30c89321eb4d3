// trail over MCP (issue 12, first part: reading). An agent sees what the
// person sees: the sessions, its own briefing (from its own last visit), the
// context under a budget, the trail with paged output, the services and their
// logs, the notes. Every tool is a call of the daemon's contract over its
// socket; state that spans calls is an explicit argument (a session, a command
// id), never hidden in the connection. The SDK's serveStdio serves both eras
// of clients (2025's initialize handshake and 2026-07-28's discover). Tool
// arguments are strict objects: one a tool does not take (`timeout` for
// `timeoutMs`) is an error the agent reads, not silently dropped.
import { z } from 'zod';
import { RE2JS } from 're2js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { DaemonClient, ClientError } from '../client/daemon-client.js';
import { ApprovalView, Briefing, CommandView, LEVELS, NoteView, RunExpect, RunStarted, ServiceInfo, ServiceLogLine, type AgentLevel as Level } from '../contract/ops.js';

/** An agent's answers stay under about 20,000 tokens (characters / 4). */
const MAX_CHARS = 80_000;

/**
 * identity: the agent's name as the person gave it (trail mcp --agent, a token's name), or null: then
 * the name its client gives (clientInfo, e.g. agent:claude-code), else agent:mcp.
 * level: the most any session allows agents (trail policy): tools beyond it are not listed, and a call to one is refused (beyondLevel says why).
 */
export type McpOptions = {
  identity: string | null;
  version: string;
  level: Level;
  beyondLevel?: (need: Level, session: string | null) => string;
  /** Said when the store has no sessions at all: which store this is (an agent may have started trail mcp without the person's TRAIL_HOME). */
  emptyStore?: string;
};


/** Why a tool beyond the level is refused over stdio: no session allows it (the one it names included). */
export function everySessionSays(need: Level, session: string | null): string {
  const what = need === 'run' ? 'run commands' : 'leave notes';
  return session !== null
    ? `session ${session} does not let agents ${what}; the person allows it with: trail policy ${session} ${need}`
    : `no session lets agents ${what}; the person allows it with: trail policy SESSION ${need}`;
}

/**
 * Lists only the tools `shown` lets through. The SDK's own way, a disabled
 * tool, also refuses a call to it before trail's handler runs: in the SDK's
 * words ("Tool X disabled") and with no trace in the trail, where an agent's
 * attempt beyond its level must show. So every tool stays enabled, trail
 * refuses the call itself, and the list is filtered here. The SDK offers no
 * public hook on tools/list: its handler is wrapped where the low-level
 * server keeps it (the MCP tests fail if an SDK update moves it).
 */
function listOnly(server: McpServer, shown: (name: string) => boolean): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, (req: unknown, ctx: unknown) => Promise<unknown>> })._requestHandlers;
  const inner = handlers?.get('tools/list');
  if (!handlers || !inner) throw new Error('this MCP SDK keeps its request handlers elsewhere: trail cannot list tools by level');
  handlers.set('tools/list', async (req, ctx) => {
    const r = (await inner(req, ctx)) as { tools?: { name: string }[] };
    if (Array.isArray(r.tools)) r.tools = r.tools.filter((t) => shown(t.name));
    return r;
  });
}

/** The key of the client's name and version in a 2026-07-28 request's _meta envelope. */
const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';

/** An agent's name from what its client calls itself ("Claude Code" is agent:claude-code), or null. */
export function agentFromClient(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const n = name.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return n ? `agent:${n}` : null;
}

/** What waiting for a command gives: done or not, its exit code and the last lines of its output. */
const WaitResult = z.object({ done: z.boolean(), id: z.number(), command: z.string(), exitCode: z.number().nullable(), durationMs: z.number().nullable(), fullScreen: z.boolean(), output: z.string(), earlierLines: z.number() });

async function waitFor(c: OpCaller, handle: number, timeoutMs: number, lines: number): Promise<z.infer<typeof WaitResult>> {
  return waitResult(await c.call('command.wait', { id: handle, timeoutMs }), lines);
}

/** A command as waiting for it gives it: the last `lines` of its output once it is done. */
function waitResult(r: { done: boolean; command: CommandView }, lines: number): z.infer<typeof WaitResult> {
  const v = r.command;
  const all = (v.output ?? '').split('\n');
  const tail = all.slice(-lines).join('\n').slice(-MAX_CHARS);
  return { done: r.done, id: v.id, command: v.command, exitCode: v.exitCode, durationMs: v.durationMs, fullScreen: v.screen, output: r.done ? tail : '', earlierLines: r.done ? Math.max(0, all.length - lines) : 0 };
}

type Ok = { content: { type: 'text'; text: string }[]; structuredContent: Record<string, unknown> };
type Err = { content: { type: 'text'; text: string }[]; isError: true };

/** The MCP server, with the level of tools it lists settable after it is made (a policy change). */
export type TrailMcpServer = McpServer & { setLevel(level: McpOptions['level']): void };

/** What the tools call: the daemon over its socket (trail mcp), or in-process (the daemon's /mcp). */
export type OpCaller = Pick<DaemonClient, 'call'>;

export function trailMcpServer(daemon: () => Promise<OpCaller>, opts: McpOptions): TrailMcpServer {
  const server = new McpServer({ name: 'trail', version: opts.version }, { capabilities: { tools: { listChanged: true }, resources: {}, prompts: {} } }) as TrailMcpServer;
  // Tools beyond reading are registered always and listed by the level: a change of policy lists them, or takes them away, at once.
  // A call to one the level leaves out is refused by trail (guard), in its words, and kept in the trail as refused.
  let level = opts.level;
  const needs = new Map<string, Level>();
  const beyond = (tool: string): Level | null => {
    const need = needs.get(tool);
    return need && LEVELS.indexOf(need) > LEVELS.indexOf(level) ? need : null;
  };
  listOnly(server, (name) => beyond(name) === null);
  server.setLevel = (l) => {
    if (l === level) return;
    level = l;
    if (server.isConnected()) server.sendToolListChanged();
  };
  // The agent's name: the person's, or its client's own, as soon as a request says it (on 2025's protocol the
  // initialize handshake did; on 2026-07-28's every request carries it in its _meta envelope).
  let named: string | null = opts.identity;
  const who = (ctx?: unknown): string => {
    if (named === null) {
      const envelope = (ctx as { mcpReq?: { envelope?: Record<string, { name?: unknown } | undefined> } } | undefined)?.mcpReq?.envelope;
      named = agentFromClient(envelope?.[CLIENT_INFO_KEY]?.name ?? server.server.getClientVersion()?.name);
    }
    return named ?? 'agent:mcp';
  };
  const ok = (value: Record<string, unknown>): Ok => ({ content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value });
  const said = (e: unknown): string => {
    const text = e instanceof ClientError || e instanceof Error ? e.message : String(e);
    return opts.emptyStore && /there are no sessions/.test(text) ? `${text}; ${opts.emptyStore}` : text;
  };
  const fail = (e: unknown): Err => ({ content: [{ type: 'text', text: said(e) }], isError: true });
  // Every call an agent makes is kept in the trail (tool, arguments, outcome) with its name: the person sees what agents did.
  const record = (tool: string, a: unknown, outcome: 'ok' | 'error' | 'refused', detail?: string) => {
    const args = a && typeof a === 'object' ? (a as Record<string, unknown>) : {};
    const session = typeof args.session === 'string' ? args.session : undefined;
    void daemon()
      .then((c) => c.call('agent.action', { actor: who(), session, tool, args: JSON.stringify(args).slice(0, 2000), outcome, detail: detail?.slice(0, 500) }))
      .catch(() => {});
  };
  const guard =
    <A>(tool: string, f: (a: A) => Promise<Record<string, unknown>>, need: Level = 'read') => {
    needs.set(tool, need);
    return async (a: A, ctx?: unknown): Promise<Ok | Err> => {
      who(ctx);
      const need = beyond(tool);
      if (need) {
        const named = (a as { session?: unknown } | null)?.session;
        const why = (opts.beyondLevel ?? everySessionSays)(need, typeof named === 'string' ? named : null);
        record(tool, a, 'refused', why);
        return fail(new Error(`${tool} is not allowed: ${why}`));
      }
      try {
        const r = await f(a);
        record(tool, a, 'ok', typeof r.status === 'string' ? r.status : undefined);
        return ok(r);
      } catch (e) {
        // A refusal of the person's boundaries is told apart by its code, never by its wording.
        record(tool, a, e instanceof ClientError && e.code === 'forbidden' ? 'refused' : 'error', e instanceof Error ? e.message : String(e));
        return fail(e);
      }
    };
  };
  const session = z.string().min(1).describe('the session name (list_sessions gives them)');

  server.registerTool(
    'list_sessions',
    {
      title: 'List trail sessions',
      description: 'Every trail session: its name, directory, terminals and when it was last active. Start here to find the session the person works in.',
      inputSchema: z.strictObject({}),
      outputSchema: z.object({ sessions: z.array(z.object({ name: z.string(), dir: z.string(), terminals: z.number(), lastActiveAt: z.number() })) }),
      annotations: { readOnlyHint: true },
    },
    guard('list_sessions', async () => {
      const c = await daemon();
      const list = await c.call('session.list', {});
      return { sessions: list.map((s) => ({ name: s.name, dir: s.dir, terminals: s.terminals, lastActiveAt: s.lastActiveAt })) };
    }),
  );

  server.registerTool(
    'get_briefing',
    {
      title: 'What happened since this agent last looked',
      description:
        "The briefing of a session since this agent's own last visit (the person's visits are theirs): services that crashed or gave up with the line that says why, failed commands with an excerpt, what finished, long commands still running, git (branch, commits, uncommitted files), others' activity, where each terminal is, open notes (with whether a noted file line changed). Every item is computed from the trail, never guessed. Reading it counts as this agent's visit.",
      inputSchema: z.strictObject({ session, since: z.string().optional().describe('from this time instead of the last visit: 10m, 2h, 2026-11-20') }),
      outputSchema: Briefing,
      annotations: { readOnlyHint: true },
    },
    guard('get_briefing', async ({ session: s, since }: { session: string; since?: string }) => {
      const c = await daemon();
      const r = await c.call('session.brief', { session: s, identity: who(), since, full: true });
      return r.briefing as Record<string, unknown>;
    }),
  );

  server.registerTool(
    'get_context',
    {
      title: 'Context to continue the work, under a budget',
      description:
        'Markdown with what is needed to continue in a session: the briefing facts, open notes, recent commands (failures first) with output excerpts, services with their last lines. Never over `budget` tokens (counted as characters / 4); what did not fit is counted at the end.',
      inputSchema: z.strictObject({ session, budget: z.number().int().min(200).max(20_000).default(8000).describe('tokens at most (default 8000)'), since: z.string().optional() }),
      outputSchema: z.object({ text: z.string(), tokens: z.number(), omitted: z.object({ fact: z.number(), note: z.number(), command: z.number(), service: z.number() }) }),
      annotations: { readOnlyHint: true },
    },
    guard('get_context', async ({ session: s, budget, since }: { session: string; budget: number; since?: string }) => {
      const c = await daemon();
      const r = await c.call('session.context', { session: s, identity: who(), budget, since, format: 'md' });
      return { text: r.text, tokens: r.tokens, omitted: r.omitted };
    }),
  );

  server.registerTool(
    'search_trail',
    {
      title: 'Search commands and their output',
      description: 'Substring search (any case) over recorded command lines and their output, newest first. Use get_command with an id to read one whole.',
      inputSchema: z.strictObject({
        text: z.string().min(1).max(1000),
        session: z.string().optional().describe('only this session'),
        in: z.enum(['all', 'command', 'output']).default('all').describe('where to look'),
        failed: z.boolean().default(false).describe('only commands that failed'),
        limit: z.number().int().min(1).max(100).default(20),
      }),
      outputSchema: z.object({
        hits: z.array(z.object({ id: z.number(), session: z.string(), command: z.string(), exitCode: z.number().nullable(), startedAt: z.number(), cwd: z.string().nullable(), excerpt: z.string().nullable() })),
      }),
      annotations: { readOnlyHint: true },
    },
    guard('search_trail', async (a: { text: string; session?: string; in: 'all' | 'command' | 'output'; failed: boolean; limit: number }) => {
      const c = await daemon();
      const hits = await c.call('command.search', { text: a.text, session: a.session, in: a.in, failed: a.failed, limit: a.limit });
      return {
        hits: hits.map((h) => ({ id: h.id, session: h.session, command: h.command.slice(0, 2000), exitCode: h.exitCode, startedAt: h.startedAt, cwd: h.cwd, excerpt: h.match?.excerpt ?? null })),
      };
    }),
  );

  server.registerTool(
    'get_command',
    {
      title: 'One command with its output, by lines',
      description:
        'A recorded command: its line, exit code (from the shell integration, never guessed), directory, branch, duration, and its output as text, paged by lines (offset, limit; a negative offset counts from the end). With `grep` (a regular expression, case-insensitive), only the lines that match, each with `context` lines around it and its line number. `moreLines` says how many lines follow the page.',
      inputSchema: z.strictObject({
        id: z.number().int(),
        offset: z.number().int().default(0).describe('first line (0-based; -50: the last 50 lines)'),
        limit: z.number().int().min(1).max(2000).default(200).describe('lines at most'),
        grep: z.string().max(500).optional().describe('only lines matching this regular expression (RE2 syntax, case-insensitive), numbered'),
        context: z.number().int().min(0).max(20).default(2).describe('lines shown around each grep match'),
      }),
      outputSchema: z.object({
        id: z.number(), session: z.string(), command: z.string(), exitCode: z.number().nullable(), cwd: z.string().nullable(), branch: z.string().nullable(),
        startedAt: z.number(), durationMs: z.number().nullable(), endReason: z.string().nullable(), fullScreen: z.boolean(),
        offset: z.number(), totalLines: z.number(), moreLines: z.number(), output: z.string(),
      }),
      annotations: { readOnlyHint: true },
    },
    guard('get_command', async ({ id, offset, limit, grep, context }: { id: number; offset: number; limit: number; grep?: string; context: number }) => {
      const c = await daemon();
      const v = await c.call('command.show', { id });
      const lines = (v.output ?? '').split('\n');
      const from = offset < 0 ? Math.max(0, lines.length + offset) : offset;
      let page: string[];
      let rest: number;
      if (grep !== undefined) {
        // The agent's pattern runs on RE2JS (linear time): over HTTP it runs inside the daemon.
        let re: RE2JS;
        try {
          re = RE2JS.compile(grep, RE2JS.CASE_INSENSITIVE);
        } catch (e) {
          throw new Error(`grep: not a regular expression (${(e as Error).message}; RE2 syntax, no back-references or lookaround)`);
        }
        const keep = new Set<number>();
        for (let n = from; n < lines.length; n++) if (re.matcher(lines[n]).find()) for (let k = Math.max(0, n - context); k <= Math.min(lines.length - 1, n + context); k++) keep.add(k);
        const numbered = [...keep].sort((a, b) => a - b).map((n, k, all) => `${k > 0 && all[k - 1] !== n - 1 ? '--\n' : ''}${n}: ${lines[n]}`);
        page = numbered.slice(0, limit);
        rest = numbered.length - page.length;
      } else {
        page = lines.slice(from, from + limit);
        rest = Math.max(0, lines.length - from - page.length);
      }
      while (page.length > 1 && page.join('\n').length > MAX_CHARS) page = page.slice(0, Math.ceil(page.length / 2));
      const text = page.join('\n').slice(0, MAX_CHARS);
      return {
        id: v.id, session: v.session, command: v.command.slice(0, 8000), exitCode: v.exitCode, cwd: v.cwd, branch: v.git?.branch ?? null,
        startedAt: v.startedAt, durationMs: v.durationMs, endReason: v.endReason, fullScreen: v.screen,
        offset: from, totalLines: lines.length, moreLines: rest, output: text,
      };
    }),
  );

  server.registerTool(
    'list_services',
    {
      title: "A session's services",
      description: "The session's declared services (trail.yaml, process-compose.yaml or Procfile): state, pid, ports they listen on, restarts, and why one failed or gave up.",
      inputSchema: z.strictObject({ session }),
      outputSchema: z.object({ file: z.string().nullable(), services: z.array(ServiceInfo), warnings: z.array(z.string()) }),
      annotations: { readOnlyHint: true },
    },
    guard('list_services', async ({ session: s }: { session: string }) => {
      const c = await daemon();
      const l = await c.call('svc.list', { session: s });
      return { file: l.file, services: l.services, warnings: l.warnings };
    }),
  );

  server.registerTool(
    'service_logs',
    {
      title: "A service's output",
      description: "The last lines of a service's output (stdout and stderr, redacted), oldest first; optionally only those containing a text, or since a time.",
      inputSchema: z.strictObject({ session, name: z.string(), limit: z.number().int().min(1).max(2000).default(100), grep: z.string().max(1000).optional(), since: z.string().optional() }),
      outputSchema: z.object({ lines: z.array(ServiceLogLine.omit({ raw: true })) }),
      annotations: { readOnlyHint: true },
    },
    guard('service_logs', async (a: { session: string; name: string; limit: number; grep?: string; since?: string }) => {
      const c = await daemon();
      const lines = await c.call('svc.logs', { session: a.session, name: a.name, limit: a.limit, grep: a.grep, since: a.since });
      let out = lines.map(({ id, at, stream, line }) => ({ id, at, stream, line }));
      while (out.length > 1 && JSON.stringify(out).length > MAX_CHARS) out = out.slice(Math.floor(out.length / 2));
      return { lines: out };
    }),
  );

  server.registerTool(
    'list_notes',
    {
      title: 'Notes people left',
      description: "Open notes of a session (or every session): what someone wanted remembered, on a command, a service or a file line; `stale` says the noted file line has changed since.",
      inputSchema: z.strictObject({ session: z.string().optional(), all: z.boolean().default(false).describe('done notes too') }),
      outputSchema: z.object({ notes: z.array(NoteView) }),
      annotations: { readOnlyHint: true },
    },
    guard('list_notes', async ({ session: s, all }: { session?: string; all: boolean }) => {
      const c = await daemon();
      return { notes: await c.call('note.list', { session: s, all }) };
    }),
  );

  // Resources: a session's briefing (without counting as a visit) and a command's output, to attach to a conversation.
  server.registerResource(
    'briefing',
    new ResourceTemplate('trail://session/{session}/briefing', {
      list: async () => ({
        resources: (await (await daemon()).call('session.list', {})).map((x) => ({ uri: `trail://session/${encodeURIComponent(x.name)}/briefing`, name: `briefing of ${x.name}`, mimeType: 'application/json' })),
      }),
    }),
    { title: "A session's briefing", description: 'What happened in the session since this agent last looked (reading the resource does not count as a visit).', mimeType: 'application/json' },
    async (uri, v, ctx) => {
      const r = await (await daemon()).call('session.brief', { session: decodeURIComponent(String(v.session)), identity: who(ctx), full: true, mark: false });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(r.briefing) }] };
    },
  );
  server.registerResource(
    'command-output',
    new ResourceTemplate('trail://command/{id}', { list: undefined }),
    { title: "A command's output", description: 'A recorded command with its exit code and output (the first 80,000 characters; get_command pages the rest).', mimeType: 'text/plain' },
    async (uri, v) => {
      const c = await (await daemon()).call('command.show', { id: Number(v.id) });
      const text = `$ ${c.command}\n# exit ${c.exitCode ?? '(none)'} · ${c.cwd ?? '?'} · ${c.session}\n${c.output ?? ''}`.slice(0, MAX_CHARS);
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    },
  );
  // The prompt to pick work up again: the context of the session, and what to do with it.
  server.registerPrompt(
    'resume',
    { title: 'Resume work in a trail session', description: "Loads the session's briefing and context so the work can continue where it was left.", argsSchema: z.object({
        session: z.string(),
        budget: z
          .string()
          .regex(/^\d+$/, 'budget is a number of tokens, e.g. 4000')
          .refine((v) => !/^\d+$/.test(v) || Number(v) >= 300, 'budget is at least 300 tokens')
          .optional()
          .describe('tokens the whole prompt may take (characters / 4); 6000 if not given'),
      }) },
    async ({ session: s, budget }: { session: string; budget?: string }, ctx) => {
      const head = `We are picking up work in the trail session "${s}". Here is what trail recorded (facts from the terminals, services, git and notes, nothing guessed):\n\n`;
      const tail = '\n\nStart from what broke or is still open. Use search_trail and get_command to read more before acting.';
      // The budget is the whole prompt's: the words around the context count too.
      const room = Math.max(200, Number(budget ?? 6000) - Math.ceil((head.length + tail.length) / 4));
      const r = await (await daemon())
        .call('session.context', { session: s, identity: who(ctx), budget: room, format: 'md' })
        .catch((e: unknown) => {
          throw new Error(said(e));
        });
      return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: head + r.text + tail } }] };
    },
  );

  {
    server.registerTool(
      'add_note',
      {
        title: 'Leave a note in a session',
        description: 'A note the person (and later agents) will see in the briefing and trail log: on a command (its id), a service, or a file line (kept with the line, shown as may be stale when the line changes). Needs the session to allow notes.',
        inputSchema: z.strictObject({ session, text: z.string().min(1).max(4000), commandId: z.number().int().optional(), service: z.string().optional(), file: z.string().optional().describe('a path, absolute or relative to the session directory'), line: z.number().int().min(1).optional() }),
        outputSchema: NoteView,
      },
      guard('add_note', async (a: { session: string; text: string; commandId?: number; service?: string; file?: string; line?: number }) => {
        const c = await daemon();
        return (await c.call('note.add', { ...a, actor: who() })) as Record<string, unknown>;
      }, 'notes'),
    );
    server.registerTool(
      'resolve_note',
      { title: 'Mark a note done', description: 'Marks a note done: it stays in the trail, no longer open.', inputSchema: z.strictObject({ id: z.number().int() }), outputSchema: NoteView },
      guard('resolve_note', async ({ id }: { id: number }) => {
        const c = await daemon();
        return (await c.call('note.done', { id, actor: who() })) as Record<string, unknown>;
      }, 'notes'),
    );
  }

  server.registerTool(
    'read_screen',
    {
      title: "A terminal's screen",
      description: "What a terminal of the session shows now, as text, and the command running there (the session's agent terminal, or its newest, unless `terminal` names one by number). With `scrollback`, also that many lines that scrolled off above the screen (a full-screen program has none).",
      inputSchema: z.strictObject({
        session,
        terminal: z.string().optional().describe('a terminal number (trail ls shows them)'),
        scrollback: z.number().int().min(0).max(10_000).default(0).describe('lines of scrollback to include above the screen'),
      }),
      outputSchema: z.object({ terminal: z.number(), text: z.string(), running: z.object({ id: z.number().nullable(), command: z.string(), startedAt: z.number() }).nullable() }),
      annotations: { readOnlyHint: true },
    },
    guard('read_screen', async (a: { session: string; terminal?: string; scrollback: number }) => (await (await daemon()).call('terminal.screen', { ...a, actor: who() })) as Record<string, unknown>),
  );

  {
    server.registerTool(
      'run_command',
      {
        title: 'Run a command in the session',
        description:
          "Types one command line at a terminal's prompt: the session's agent terminal (made on demand; the person can attach to it and watch) unless `terminal` names one. Returns at once: status started with a handle (the command's id in the trail; wait_command gives its exit code and output), or status 'awaiting approval' with an approval id when the person's rules want them to confirm it (wait_approval follows it; the person answers with trail approve or trail deny). A command a deny rule matches is refused, as is one when `expect` (cwd, branch) is not what the terminal shows. With `waitMs`, it also waits that long for the command to end and returns what wait_command would (`result`), saving a call. A terminal that is running something refuses. Needs the session to allow run.",
        inputSchema: z.strictObject({
          session,
          command: z.string().min(1).max(10_000),
          terminal: z.string().optional(),
          expect: RunExpect.optional().describe('run only if the terminal is in this directory and on this git branch; refused with the actual values otherwise'),
          waitMs: z.number().int().min(0).max(120_000).default(0).describe('also wait this long for it to end, and return its result'),
        }),
        outputSchema: RunStarted.extend({ result: WaitResult.nullable() }),
      },
      guard('run_command', async ({ waitMs, ...a }: { session: string; command: string; terminal?: string; expect?: { cwd?: string; branch?: string }; waitMs: number }) => {
        const c = await daemon();
        // Run and wait in one round trip to the daemon.
        const { waited, ...r } = await c.call('terminal.run', { ...a, waitMs, actor: who() });
        return { ...r, result: waited ? waitResult(waited, 60) : null };
      }, 'run'),
    );
    server.registerTool(
      'wait_approval',
      {
        title: 'Wait for the person to approve a command',
        description:
          "Waits up to timeoutMs (at most 120 s) for the person to approve or deny a command run_command sent them. Returns the state (pending, approved, denied, expired) and, once approved, the handle of the command now running (wait_command follows it). Approvals expire after 10 minutes.",
        inputSchema: z.strictObject({ approval: z.number().int(), timeoutMs: z.number().int().min(0).max(120_000).default(30_000) }),
        outputSchema: ApprovalView,
      },
      guard('wait_approval', async ({ approval, timeoutMs }: { approval: number; timeoutMs: number }) => (await (await daemon()).call('approval.wait', { id: approval, timeoutMs })) as Record<string, unknown>, 'run'),
    );
    server.registerTool(
      'wait_command',
      {
        title: 'Wait for a command',
        description:
          'Waits up to timeoutMs (at most 120 s) for the command with this handle to end. Returns done, and the command: exit code (from the shell integration), duration, and the last `lines` of its output (where a failure says why) with how many lines came before them (`earlierLines`; get_command pages them, or greps them). A full-screen program says so (fullScreen).',
        inputSchema: z.strictObject({ handle: z.number().int(), timeoutMs: z.number().int().min(0).max(120_000).default(30_000), lines: z.number().int().min(1).max(2000).default(60) }),
        outputSchema: WaitResult,
      },
      guard('wait_command', async ({ handle, timeoutMs, lines }: { handle: number; timeoutMs: number; lines: number }) => waitFor(await daemon(), handle, timeoutMs, lines), 'run'),
    );
    server.registerTool(
      'send_keys',
      {
        title: 'Send keys to a terminal',
        description:
          'Sends text and named keys to a terminal (the agent terminal unless `terminal` names one): answer a prompt or a REPL, or stop a command with C-c. Keys: Enter Tab Escape Backspace Space Up Down Left Right Home End PageUp PageDown C-c C-d C-z C-l C-a C-e C-u C-r. Needs the session to allow run.',
        inputSchema: z.strictObject({ session, terminal: z.string().optional(), text: z.string().max(10_000).optional(), keys: z.array(z.string()).max(100).default([]), enter: z.boolean().default(false).describe('press Enter after the text and keys') }),
        outputSchema: z.object({ terminal: z.number(), bytes: z.number() }),
      },
      guard('send_keys', async (a: { session: string; terminal?: string; text?: string; keys: string[]; enter: boolean }) => (await (await daemon()).call('terminal.keys', { ...a, actor: who() })) as Record<string, unknown>, 'run'),
    );
    const svcName = z.strictObject({ session, name: z.string().describe('the service (list_services names them)') });
    const control = (verb: 'start' | 'stop' | 'restart') =>
      guard(`${verb}_service`, async ({ session: s, name }: { session: string; name: string }) => {
        const c = await daemon();
        let stopped: string[] = [];
        if (verb !== 'start') stopped = (await c.call('svc.down', { session: s, names: [name], by: who(), actor: who() })).stopped;
        const starting = verb === 'stop' ? [] : (await c.call('svc.up', { session: s, names: [name], actor: who() })).starting;
        return { stopped, starting };
      }, 'run');
    for (const verb of ['start', 'stop', 'restart'] as const)
      server.registerTool(
        `${verb}_service`,
        {
          title: `${verb[0].toUpperCase() + verb.slice(1)} a service`,
          description: `${verb === 'start' ? 'Starts a service and what it depends on, in order' : verb === 'stop' ? 'Stops a service (its whole process group)' : 'Stops a service, then starts it and what it depends on'}; returns at once (wait_service_ready follows it). Needs the session to allow run.`,
          inputSchema: svcName,
          outputSchema: z.object({ stopped: z.array(z.string()), starting: z.array(z.string()) }),
        },
        control(verb),
      );
    server.registerTool(
      'wait_service_ready',
      {
        title: 'Wait until a service is ready',
        description: 'Waits up to timeoutMs (at most 120 s) until the service is ready, or has failed or given up (with why). A service without a ready probe counts as ready once started.',
        inputSchema: svcName.extend({ timeoutMs: z.number().int().min(0).max(120_000).default(30_000) }),
        outputSchema: z.object({ ready: z.boolean(), service: ServiceInfo }),
      },
      guard('wait_service_ready', async ({ session: s, name, timeoutMs }: { session: string; name: string; timeoutMs: number }) => {
        const c = await daemon();
        const end = Date.now() + timeoutMs;
        for (;;) {
          const v = (await c.call('svc.list', { session: s, ports: false })).services.find((x) => x.name === name);
          if (!v) throw new Error(`${s} has no service named ${name}`);
          const over = v.state === 'ready' || v.state === 'gave up' || v.state === 'failed' || v.state === 'exited' || v.state === 'stopped';
          if (over || Date.now() >= end) return { ready: v.state === 'ready', service: v };
          await new Promise((r) => setTimeout(r, 100));
        }
      }, 'run'),
    );
  }

  return server;
}
