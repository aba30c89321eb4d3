// trail over MCP, with the SDK's own client over stdio, in both eras: a 2025
// client (initialize handshake) and a 2026-07-28 one. The agent finds the
// session, searches the trail, reads a long output a page at a time, gets its
// briefing and the context under a budget; a wrong session is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import Database from 'better-sqlite3';
import { Sandbox, runCommand, BIN, eventually } from './helpers.js';

type Cmd = { id: number; command: string; exitCode: number | null; endedAt: number | null; endReason: string | null };
type Result = { structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[]; isError?: boolean };

for (const era of ['legacy', '2026-07-28'] as const) {
  test(`MCP (${era} client): sessions, search, a long output by pages, the briefing and context for this agent, clear errors`, async () => {
    const sb = new Sandbox();
    const proj = join(sb.userHome, 'agentproj');
    mkdirSync(proj, { recursive: true });
    let client: Client | null = null;
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'work', '-d', '--dir', proj]);
      const c = sb.attach(['attach', 'work'], { cols: 120, rows: 30 });
      await c.waitFor('$ ');
      const long = await runCommand<Cmd>(sb, c, 'work', 'seq 1 450; echo mcp-marker-end; (exit 4)\r');
      assert.equal(long.exitCode, 4);
      c.type('\x1c');
      await c.left();

      client = new Client({ name: 'trail-test', version: '1.0.0' }, { versionNegotiation: { mode: era === 'legacy' ? 'legacy' : { pin: era } } });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'claude'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
      const call = async (name: string, args: Record<string, unknown>) => (await client!.callTool({ name, arguments: args })) as Result;

      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(tools, ['get_briefing', 'get_command', 'get_context', 'list_notes', 'list_services', 'list_sessions', 'read_screen', 'search_trail', 'service_logs'], 'reading only, by default');

      const sessions = (await call('list_sessions', {})).structuredContent!.sessions as { name: string; dir: string }[];
      assert.deepEqual(sessions.map((s) => [s.name, s.dir]), [['work', proj]]);

      const hits = (await call('search_trail', { text: 'mcp-marker-end', session: 'work' })).structuredContent!.hits as { id: number; exitCode: number }[];
      assert.deepEqual(hits.map((h) => [h.id, h.exitCode]), [[long.id, 4]]);

      // A long output, a page at a time, with how much follows.
      const p1 = (await call('get_command', { id: long.id, offset: 0, limit: 100 })).structuredContent!;
      assert.equal(p1.exitCode, 4);
      assert.equal(p1.totalLines, 451);
      assert.equal(p1.moreLines, 351);
      assert.equal((p1.output as string).split('\n')[0], '1');
      const last = (await call('get_command', { id: long.id, offset: 400, limit: 100 })).structuredContent!;
      assert.equal(last.moreLines, 0);
      assert.match(last.output as string, /450\nmcp-marker-end$/);
      // From the end, and only what matches (numbered, with context; RE2, so no pattern can stall it).
      assert.equal((await call('get_command', { id: long.id, offset: -2 })).structuredContent!.output, '450\nmcp-marker-end');
      const found = (await call('get_command', { id: long.id, grep: 'MARKER|^225$', context: 1 })).structuredContent!;
      assert.equal(found.output, '223: 224\n224: 225\n225: 226\n--\n449: 450\n450: mcp-marker-end');
      assert.match((await call('get_command', { id: long.id, grep: '(a)\\1' })).content[0].text!, /grep: not a regular expression/);

      // The agent's own briefing: the failure is news to it; the context stays under its budget.
      const brief = (await call('get_briefing', { session: 'work' })).structuredContent!;
      assert.equal(brief.identity, 'agent:claude');
      assert.deepEqual((brief.failed as { id: number }[]).map((f) => f.id), [long.id]);
      const ctx = (await call('get_context', { session: 'work', budget: 400 })).structuredContent!;
      assert.ok(Math.ceil((ctx.text as string).length / 4) <= 400, `${ctx.tokens} tokens`);
      assert.match(ctx.text as string, /### command \d+: `seq 1 450/);

      // Resources and the resume prompt.
      const res = (await client.listResources()).resources.map((r) => r.uri);
      assert.ok(res.includes('trail://session/work/briefing'), JSON.stringify(res));
      const out = await client.readResource({ uri: `trail://command/${long.id}` });
      assert.match((out.contents[0] as { text: string }).text, /^\$ seq 1 450; echo mcp-marker-end; \(exit 4\)\n# exit 4 /);
      const prompt = await client.getPrompt({ name: 'resume', arguments: { session: 'work', budget: '2000' } });
      assert.match((prompt.messages[0].content as { text: string }).text, /picking up work in the trail session "work"[\s\S]*### command \d+: `seq 1 450/);

      // An argument a tool does not take is named, not dropped (an agent's timeout for timeoutMs would wait 30 s).
      const unknownArg = await call('get_command', { id: long.id, lines: 5 });
      assert.equal(unknownArg.isError, true);
      assert.match(unknownArg.content[0].text!, /lines/);
      const bad = await call('get_briefing', { session: 'nosuch' });
      assert.equal(bad.isError, true);
      assert.match(bad.content[0].text!, /no session named "nosuch"/);
    } finally {
      await client?.close();
      await sb.cleanup();
    }
  });
}

test('MCP without --agent: the agent is named by what its client calls itself, in both eras, and kept under that name in the trail', async () => {
  const sb = new Sandbox();
  const clients: Client[] = [];
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'named', '-d', '--dir', sb.userHome]);
    for (const [era, name, agent] of [['legacy', 'Cursor Agent', 'agent:cursor-agent'], ['2026-07-28', 'Test Agent X', 'agent:test-agent-x']] as const) {
      const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: era === 'legacy' ? 'legacy' : { pin: era } } });
      clients.push(client);
      const env = { ...sb.env } as Record<string, string>;
      delete env.TRAIL_AGENT;
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env, stderr: 'pipe' }));
      const brief = ((await client.callTool({ name: 'get_briefing', arguments: { session: 'named' } })) as Result).structuredContent!;
      assert.equal(brief.identity, agent, era);
      // Each call it makes is an event of the trail under that name (the person's briefing counts them).
      await eventually(async () => {
        const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
        try {
          return db.prepare("SELECT 1 FROM events WHERE kind = 'agent.action' AND actor = ? AND data LIKE '%get_briefing%'").get(agent);
        } finally {
          db.close();
        }
      }, `${agent}'s call in the trail`);
    }
  } finally {
    for (const c of clients) await c.close();
    await sb.cleanup();
  }
});

test('MCP with policy run: the agent runs a command in its own terminal (visible, in the trail), waits for its exit code, answers a prompt, stops a command with Ctrl-C, leaves a note; a session that allows less refuses', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'runproj');
  mkdirSync(proj, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 12000);
  writeFileSync(join(proj, 'trail.yaml'), `services:\n  web:\n    command: python3 -m http.server ${port} --bind 127.0.0.1\n    ready: { port: ${port}, period: 100ms }\n    autostart: false\n`);
  let client: Client | null = null;
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'run', '-d', '--dir', proj]);
    await sb.trail(['new', 'readonly', '-d', '--dir', sb.userHome]);
    assert.match((await sb.trail(['policy', 'run', 'run'])).stdout, /run: agents may read, leave notes, run commands and send keys \(run\)/);
    client = new Client({ name: 'trail-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'claude'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
    const call = async (name: string, args: Record<string, unknown>) => (await client!.callTool({ name, arguments: args })) as Result;
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const t of ['run_command', 'wait_command', 'send_keys', 'add_note', 'resolve_note']) assert.ok(tools.includes(t), t);

    const ran = await call('run_command', { session: 'run', command: 'echo agent-ran; (exit 3)' });
    assert.equal(ran.isError, undefined, ran.content[0].text);
    const handle = ran.structuredContent!.handle as number;
    const done = (await call('wait_command', { handle, timeoutMs: 10_000 })).structuredContent!;
    assert.deepEqual([done.done, done.exitCode, done.output], [true, 3, 'agent-ran']);
    // Run and wait in one call.
    const quick = (await call('run_command', { session: 'run', command: 'echo quick-one', waitMs: 10_000 })).structuredContent!;
    assert.deepEqual([(quick.result as Record<string, unknown>).done, (quick.result as Record<string, unknown>).exitCode, (quick.result as Record<string, unknown>).output], [true, 0, 'quick-one']);
        // It is in the trail like any command, in a terminal of the session.
    const shown = await sb.json<{ command: string; exitCode: number }>(['show', String(handle), '--json']);
    assert.deepEqual([shown.command, shown.exitCode], ['echo agent-ran; (exit 3)', 3]);

    // The person's own terminal, with their half-typed line on its prompt: the agent's command would join it, so it is refused.
    const person = sb.attach(['attach', 'run', '-t', '0', '--no-brief']);
    await person.waitFor('$ ');
    person.type('echo half');
    await person.waitFor('echo half');
    const joined = await call('run_command', { session: 'run', terminal: '0', command: 'echo agent-too' });
    assert.match(joined.content[0].text!, /not run: the prompt of terminal 0 of run already has text on it \("echo half"\), which would run in front of the command: someone is typing there/);
    person.type('\x15'); // C-u
    let inTheirs: Result | null = null;
    await eventually(async () => !(inTheirs = await call('run_command', { session: 'run', terminal: '0', command: 'echo agent-too', waitMs: 10_000 })).isError, 'run once the line is cleared');
    await person.waitFor(/^agent-too$/m);
    // Run in the person's terminal, it is still the agent's command in the trail.
    assert.equal((await sb.json<{ actor: string }>(['show', String(inTheirs!.structuredContent!.handle), '--json'])).actor, 'agent:claude');
    person.type('echo mine\r');
    await person.waitFor(/^mine$/m);
    await eventually(async () => (await sb.json<{ command: string; actor: string }[]>(['log', 'run', '--json'])).some((c) => c.command === 'echo mine' && c.actor === 'user'), 'the person’s next command is theirs');
    person.type('\x1c');
    await person.left();

    // A prompt answered, then a command stopped with Ctrl-C (exit 130 from the shell, not a marker).
    const r2 = (await call('run_command', { session: 'run', command: 'read -p "name? " n; echo "hello $n"' })).structuredContent!;
    const busy = await call('run_command', { session: 'run', command: 'echo no' });
    assert.match(busy.content[0].text!, /is running `read -p/);
    assert.equal((await call('send_keys', { session: 'run', text: 'trail', enter: true })).isError, undefined);
    const greeted = (await call('wait_command', { handle: r2.handle, timeoutMs: 10_000 })).structuredContent!;
    assert.equal(greeted.output, 'name? trail\nhello trail');
    await call('run_command', { session: 'run', command: 'seq 1 60', waitMs: 10_000 });
    const r3 = (await call('run_command', { session: 'run', command: 'sleep 60' })).structuredContent!;
    const still = (await call('wait_command', { handle: r3.handle, timeoutMs: 300 })).structuredContent!;
    assert.equal(still.done, false);
    assert.match((await call('read_screen', { session: 'run' })).structuredContent!.text as string, /sleep 60/);
    // The tail of the scrollback with the screen: the greeting scrolled off a 40-row screen is there.
    assert.doesNotMatch((await call('read_screen', { session: 'run' })).structuredContent!.text as string, /hello trail/);
    assert.match((await call('read_screen', { session: 'run', scrollback: 100 })).structuredContent!.text as string, /hello trail[\s\S]*sleep 60/);
    await call('send_keys', { session: 'run', keys: ['C-c'] });
    const stopped = (await call('wait_command', { handle: r3.handle, timeoutMs: 10_000 })).structuredContent!;
    assert.deepEqual([stopped.done, stopped.exitCode], [true, 130]);
    const bad = await call('send_keys', { session: 'run', keys: ['Hyper-q'] });
    assert.match(bad.content[0].text!, /no key named Hyper-q/);

    const note = (await call('add_note', { session: 'run', text: 'agent: the exit 3 is expected' })).structuredContent!;
    assert.equal(note.actor, 'agent:claude');
    // Services: started, waited for, stopped, each said in the trail with who did it.
    assert.deepEqual((await call('start_service', { session: 'run', name: 'web' })).structuredContent!.starting, ['web']);
    const up = (await call('wait_service_ready', { session: 'run', name: 'web', timeoutMs: 20_000 })).structuredContent!;
    assert.equal(up.ready, true, JSON.stringify(up));
    assert.deepEqual((await call('stop_service', { session: 'run', name: 'web' })).structuredContent!.stopped, ['web']);
    assert.match((await sb.trail(['log', 'run'])).stdout, /web: stopped by agent:claude/);
    // What the agent ran is its own in the trail, and in the person's briefing.
    assert.equal((await sb.json<{ actor: string }>(['show', String(handle), '--json'])).actor, 'agent:claude');
    const b = await sb.json<{ others: { actor: string; commands: number; failed: number; notes: number }[] }>(['brief', 'run', '--since', '1h', '--json']);
    assert.deepEqual(b.others.find((o) => o.actor === 'agent:claude'), { actor: 'agent:claude', commands: 6, failed: 1, notes: 1, attached: 0, acted: 4, refused: 0 }, 'exit 3 failed; Ctrl-C (130) is not a failure; one run in the person’s terminal; keys twice and a service started and stopped; a busy terminal and a bad key are not the policy');
    // A session that allows reading only refuses, and says how the person can allow more.
    const refused = await call('run_command', { session: 'readonly', command: 'echo x' });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text!, /session readonly allows agents to read only; the person can allow more with: trail policy readonly run/);
    assert.match((await call('add_note', { session: 'readonly', text: 'x' })).content[0].text!, /allows agents to read only/);
  } finally {
    await client?.close();
    await sb.cleanup();
  }
});

test('MCP boundaries: a confirm rule waits for the person (approved runs, denied does not), a deny rule refuses, every parser bypass goes to the person, keys cannot smuggle a line, drift is refused with the actual branch, the agent cannot change its policy; all of it in trail log and the briefing', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'guarded');
  mkdirSync(join(proj, 'build'), { recursive: true });
  let client: Client | null = null;
  try {
    await sb.startDaemon();
    execFileSync('git', ['init', '-q', '-b', 'main', proj]);
    await sb.trail(['new', 'g', '-d', '--dir', proj]);
    await sb.trail(['policy', 'g', 'run', '--deny', 'git push', '--confirm', 'make deploy']);
    const policy = await sb.json<{ rules: { action: string; pattern: string; default: boolean }[] }>(['policy', 'g', '--json']);
    assert.ok(policy.rules.some((r) => r.action === 'confirm' && r.pattern === 'rm -rf' && r.default));
    assert.ok(policy.rules.some((r) => r.action === 'deny' && r.pattern === 'git push' && !r.default));
    client = new Client({ name: 'trail-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'codex'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
    const call = async (name: string, args: Record<string, unknown>) => (await client!.callTool({ name, arguments: args })) as Result;

    // Asked for at once (no hang), seen by the person, approved: it runs, and the agent follows it.
    const asked = await call('run_command', { session: 'g', command: 'rm -rf build' });
    assert.equal(asked.isError, undefined, asked.content[0].text);
    assert.equal(asked.structuredContent!.status, 'awaiting approval');
    const id = asked.structuredContent!.approval as number;
    assert.match((asked.structuredContent!.reasons as string[])[0], /confirm rule "rm -rf" matches `rm -rf build`/);
    // The agent cannot approve its own command, however it runs trail.
    for (const self of [`trail approve ${id}`, `env -u TRAIL_ACTOR trail approve ${id}`, `node ${BIN} approve ${id}`]) {
      const r = await call('run_command', { session: 'g', command: self });
      assert.match(r.content[0].text!, /not run: deny rule "trail approve" matches/, self);
    }
    // Nor through a script it wrote, with its name taken out of the environment: the daemon asks the socket who calls.
    const script = join(sb.userHome, 'self.sh');
    writeFileSync(script, `#!/bin/sh\nenv -u TRAIL_ACTOR ${process.execPath} ${BIN} approve ${id} > ${script}.out 2>&1\n`);
    const viaScript = (await call('run_command', { session: 'g', command: `sh ${script}`, waitMs: 15_000 })).structuredContent!;
    assert.equal((viaScript.result as { done: boolean }).done, true);
    assert.match(readFileSync(`${script}.out`, 'utf8'), /an agent cannot approve or deny commands: this runs inside the terminal of agent:codex/);
    const pending = await call('wait_approval', { approval: id, timeoutMs: 200 });
    assert.equal(pending.structuredContent!.state, 'pending');
    assert.match((await sb.trail(['approve'])).stdout, new RegExp(`${id}  g  agent:codex: rm -rf build`));
    assert.match((await sb.trail(['brief', 'g', '--since', '1h'])).stdout, new RegExp(`agent:codex waits for your approval to run .*rm -rf build.*trail approve ${id}`));
    const waiting = call('wait_approval', { approval: id, timeoutMs: 20_000 });
    assert.match((await sb.trail(['approve', String(id)])).stdout, new RegExp(`approved ${id}: rm -rf build \\(running as command \\d+\\)`));
    const approved = (await waiting).structuredContent!;
    assert.equal(approved.state, 'approved');
    const ran = (await call('wait_command', { handle: approved.handle, timeoutMs: 10_000 })).structuredContent!;
    assert.deepEqual([ran.done, ran.exitCode], [true, 0]);
    assert.equal(existsSync(join(proj, 'build')), false, 'approved, so it ran');
    // Decided once only.
    assert.match((await sb.trail(['deny', String(id)])).stderr, /approval \d+ was approved by cli:\S+ already/);

    // Denied: it never runs.
    const second = (await call('run_command', { session: 'g', command: 'make deploy' })).structuredContent!;
    assert.equal(second.status, 'awaiting approval');
    assert.match((await sb.trail(['deny', String(second.approval)])).stdout, /denied \d+: make deploy/);
    assert.equal((await call('wait_approval', { approval: second.approval, timeoutMs: 1000 })).structuredContent!.state, 'denied');

    // A deny rule refuses outright, however the command is dressed.
    for (const line of ['git push origin main', "sh -c 'git push'", '/usr/bin/git push', 'true && "g"it push', 'echo $(git push)']) {
      const r = await call('run_command', { session: 'g', command: line });
      assert.equal(r.isError, true, line);
      assert.match(r.content[0].text!, /not run: deny rule "git push" matches/, line);
    }
    // What the text cannot show, and each way around a confirm rule, goes to the person.
    for (const line of ["'r'm -rf /tmp/x", '\\rm -rf /tmp/x', '/bin/rm -r -f /tmp/x', "bash -c 'rm -rf /tmp/x'", 'echo `rm -rf /tmp/x`', 'xargs rm < /dev/null', '$(printf rm) -rf /tmp/x', 'echo rm -rf /tmp/x | sh', "find /tmp/x -exec rm -rf {} +", "env -S 'rm -rf /tmp/x'", 'sudo -u root rm -fr /tmp/x', "python3 -c \"import os; os.system('rm -rf /tmp/x')\""]) {
      const r = (await call('run_command', { session: 'g', command: line })).structuredContent!;
      assert.equal(r?.status, 'awaiting approval', line);
    }
    // Keys cannot type what run_command would have to ask for.
    const keys = await call('send_keys', { session: 'g', text: 'rm -rf /tmp/x', enter: true });
    assert.match(keys.content[0].text!, /not sent: confirm rule "rm -rf" matches/);
    await call('send_keys', { session: 'g', text: 'rm -r' });
    assert.match((await call('send_keys', { session: 'g', text: 'f /tmp/x', keys: ['Enter'] })).content[0].text!, /not sent: confirm rule "rm -rf"/, 'split over two calls');
    await call('send_keys', { session: 'g', keys: ['C-u'] });
    assert.match((await call('send_keys', { session: 'g', keys: ['Up', 'Enter'] })).content[0].text!, /not sent: the line was changed by history, completion or editing keys/);

    // Text left on the prompt would run in front of the next command: refused until it is cleared.
    await call('send_keys', { session: 'g', text: 'r' });
    const prefixed = await call('run_command', { session: 'g', command: 'm -rf /tmp/x' });
    assert.match(prefixed.content[0].text!, /not run: the prompt of terminal \d+ of g already has text on it \("r"\)/);
    await call('send_keys', { session: 'g', keys: ['C-u'] });
    // A line that goes on (a trailing backslash) is not a way to split a command in two.
    assert.equal((await call('run_command', { session: 'g', command: 'cu\\' })).structuredContent!.status, 'awaiting approval');
    // Input to an interpreter started in the terminal is judged as code.
    const started = await call('run_command', { session: 'g', command: 'python3 -q' });
    const py = started.structuredContent!;
    assert.equal(py?.status, 'started', JSON.stringify(started.content));
    await eventually(async () => /^>>> ?$/m.test((await call('read_screen', { session: 'g' })).structuredContent!.text as string), 'the python prompt');
    const code = await call('send_keys', { session: 'g', text: "import os; os.system('rm -rf /tmp/x')", enter: true });
    assert.match(code.content[0].text!, /not sent: confirm rule "rm -rf" may match what this input runs/);
    await call('send_keys', { session: 'g', keys: ['C-u', 'C-d'] });
    await call('wait_command', { handle: py.handle, timeoutMs: 10_000 });
    // Approving while the agent's terminal is busy: the approval keeps waiting, nothing lost.
    const sleeper = (await call('run_command', { session: 'g', command: 'sleep 30' })).structuredContent!;
    const later = (await call('run_command', { session: 'g', command: 'make deploy' })).structuredContent!;
    assert.equal(later.status, 'awaiting approval');
    const busy = await sb.trail(['approve', String(later.approval)]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`approval ${later.approval} still waits: .*is running \`sleep 30\`.*approve it again when the terminal is free`));
    assert.match((await sb.trail(['approve'])).stdout, new RegExp(`${later.approval}  g  agent:codex: make deploy`), 'still listed as waiting');
    assert.match((await sb.trail(['deny', String(later.approval)])).stdout, /denied \d+: make deploy/);
    const third = (await call('run_command', { session: 'g', command: 'true', terminal: '0' })).structuredContent!;
    assert.equal(third.status, 'started', 'another terminal of the session is free');
    await call('send_keys', { session: 'g', keys: ['C-c'] });
    await call('wait_command', { handle: sleeper.handle, timeoutMs: 10_000 });

    // Drift: refused with the actual values, nothing run.
    const drift = await call('run_command', { session: 'g', command: 'echo drifted', expect: { branch: 'feature/x', cwd: proj } });
    assert.match(drift.content[0].text!, /not run: terminal \d+ of g has moved on: the branch is main, not feature\/x/);
    const fine = (await call('run_command', { session: 'g', command: 'echo on-main', expect: { branch: 'main', cwd: proj } })).structuredContent!;
    assert.equal(fine.status, 'started');

    // The agent cannot change its boundaries through any tool, and no tool offers it.
    const tools = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(!tools.some((t) => /policy|approve|token/.test(t)), tools.join(' '));

    // The person sees it all: approvals and refusals in trail log, and in the briefing.
    const log = (await sb.trail(['log', 'g'])).stdout;
    assert.match(log, /approval #\d+: agent:codex asks to run `rm -rf build`/);
    assert.match(log, /approval #\d+: approved by cli:\S+: `rm -rf build`/);
    assert.match(log, /approval #\d+: denied by cli:\S+: `make deploy`/);
    assert.match(log, /agent:codex: run_command .*git push.* → refused: not run: deny rule/);
    const b = await sb.json<{ others: { actor: string; refused: number; commands: number }[] }>(['brief', 'g', '--since', '1h', '--json']);
    const codex = b.others.find((o) => o.actor === 'agent:codex')!;
    assert.ok(codex.refused >= 5 + 3 + 1, JSON.stringify(codex));
  } finally {
    await client?.close();
    await sb.cleanup();
  }
});

for (const era of ['legacy', '2026-07-28'] as const) {
  test(`MCP over HTTP (${era} client): the daemon's /mcp on 127.0.0.1 with a token; its level caps the tools; a bad token, Host or Origin is refused`, async () => {
    const sb = new Sandbox();
    let client: Client | null = null;
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'web', '-d', '--dir', sb.userHome]);
      await sb.trail(['policy', 'web', 'run']);
      let url: string | null = null;
      await eventually(async () => (url = (await sb.json<{ mcpUrl: string | null }>(['daemon', 'status', '--json'])).mcpUrl) !== null, 'the daemon serves HTTP');
      assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const made = await sb.trail(['token', 'create', 'cursor', '--level', 'run']);
      const token = made.stdout.trim();
      assert.match(token, /^trail_[A-Za-z0-9_-]{32}$/);
      assert.match(made.stderr, /shown this once/);
      const reader = (await sb.trail(['token', 'create', 'viewer'])).stdout.trim();
      // Only hashes are kept.
      const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
      const kept = JSON.stringify(db.prepare('SELECT * FROM tokens').all());
      db.close();
      assert.ok(!kept.includes(token) && !kept.includes(reader));

      const connect = async (t: string) => {
        const c = new Client({ name: 'http-test', version: '1.0.0' }, era === 'legacy' ? undefined : { versionNegotiation: { mode: { pin: '2026-07-28' } } });
        await c.connect(new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers: { Authorization: `Bearer ${t}` } } }));
        return c;
      };
      client = await connect(token);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes('run_command') && tools.includes('get_briefing'), tools.join(' '));
      const ran = (await client.callTool({ name: 'run_command', arguments: { session: 'web', command: 'echo over-http; (exit 2)' } })) as Result;
      assert.equal(ran.isError, undefined, ran.content[0].text);
      const done = ((await client.callTool({ name: 'wait_command', arguments: { handle: ran.structuredContent!.handle, timeoutMs: 10_000 } })) as Result).structuredContent!;
      assert.deepEqual([done.exitCode, done.output], [2, 'over-http']);
      // The agent is named after its token, in the trail.
      assert.equal((await sb.json<{ actor: string }>(['show', String(done.id), '--json'])).actor, 'agent:cursor');
      await client.close();
      // A read token sees reading tools only, though the session allows run.
      client = await connect(reader);
      const readTools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(readTools.includes('get_briefing') && !readTools.includes('run_command') && !readTools.includes('add_note'), readTools.join(' '));
      // Calling one anyway is refused in trail's words (what to do about it), nothing runs, and the attempt is in the trail.
      const beyond = (await client.callTool({ name: 'run_command', arguments: { session: 'web', command: 'echo from-viewer' } })) as Result;
      assert.equal(beyond.isError, true);
      assert.match(beyond.content[0].text!, /^run_command is not allowed: the token viewer allows reading only; the person makes one that allows more with: trail token create NAME --level run$/);
      await eventually(async () => /agent:viewer: run_command .*from-viewer.* → refused: the token viewer allows reading only/.test((await sb.trail(['log', 'web'])).stdout), 'the refused call in trail log');
      assert.ok(!(await sb.json<{ command: string }[]>(['log', 'web', '--json'])).some((c) => c.command === 'echo from-viewer'), 'nothing ran');
      await client.close();
      client = null;
      assert.match((await sb.trail(['token', 'ls'])).stdout, /cursor {2}run {2}made \d+s ago {2}used \d+s ago\nviewer {2}read/);

      // Refused: no token, a wrong or revoked one (401); another Host or a web page's Origin (403).
      const post = (headers: Record<string, string>) =>
        fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }) });
      assert.equal((await post({})).status, 401);
      assert.equal((await post({ Authorization: 'Bearer trail_wrong' })).status, 401);
      assert.equal((await post({ Authorization: `Bearer ${token}`, Origin: 'https://evil.example' })).status, 403);
      const badHost = await new Promise<number>((resolve, reject) => {
        const u = new URL(url!);
        const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { Host: 'evil.example', Authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => (res.resume(), resolve(res.statusCode!)));
        req.on('error', reject);
        req.end('{}');
      });
      assert.equal(badHost, 403);
      await sb.trail(['token', 'revoke', 'cursor']);
      assert.equal((await post({ Authorization: `Bearer ${token}` })).status, 401);
    } finally {
      await client?.close();
      await sb.cleanup();
    }
  });
}

test('MCP: a policy change while an agent is connected changes its tool list at once (tools/list_changed)', async () => {
  const sb = new Sandbox();
  let client: Client | null = null;
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'lc', '-d', '--dir', sb.userHome]);
    const heard: string[][] = [];
    client = new Client({ name: 'trail-test', version: '1.0.0' }, { listChanged: { tools: { onChanged: (_err: unknown, tools: { name: string }[] | null) => void heard.push((tools ?? []).map((t) => t.name)) } } });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'lc'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
    assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'run_command' || t.name === 'add_note'));
    // A tool not listed, called anyway: refused by trail, saying how the person would allow it, and kept in the trail.
    const early = (await client.callTool({ name: 'add_note', arguments: { session: 'lc', text: 'too soon' } })) as Result;
    assert.equal(early.isError, true);
    assert.equal(early.content[0].text, 'add_note is not allowed: session lc does not let agents leave notes; the person allows it with: trail policy lc notes');
    await eventually(async () => /agent:lc: add_note .*too soon.* → refused: session lc does not let agents leave notes/.test((await sb.trail(['log', 'lc'])).stdout), 'the refused call in trail log');
    await sb.trail(['policy', 'lc', 'run']);
    await eventually(async () => heard.some((l) => l.includes('run_command') && l.includes('add_note')), 'the client told that run tools are there');
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'run_command'));
    // Each agent has a terminal of its own: its commands are its own, and its screen is the one it reads.
    await client.callTool({ name: 'run_command', arguments: { session: 'lc', command: 'echo mine-lc', waitMs: 10_000 } });
    const other = new Client({ name: 'other', version: '1.0.0' });
    await other.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'other'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
    const theirs = (await other.callTool({ name: 'run_command', arguments: { session: 'lc', command: 'echo theirs-other', waitMs: 10_000 } })) as Result;
    await other.close();
    assert.equal((await sb.json<{ actor: string }>(['show', String(theirs.structuredContent!.handle), '--json'])).actor, 'agent:other');
    const mine = ((await client.callTool({ name: 'read_screen', arguments: { session: 'lc' } })) as Result).structuredContent!.text as string;
    assert.match(mine, /mine-lc/);
    assert.doesNotMatch(mine, /theirs-other/);
    await sb.trail(['policy', 'lc', 'notes']);
    await eventually(async () => { const l = heard[heard.length - 1]; return l.includes('add_note') && !l.includes('run_command'); }, 'the run tools taken away again');
  } finally {
    await client?.close();
    await sb.cleanup();
  }
});

test('MCP over HTTP on a port already taken: the daemon goes on without it, and trail daemon status says why', async () => {
  const taken = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => taken.once('listening', r));
  const port = (taken.address() as net.AddressInfo).port;
  const sb = new Sandbox({ TRAIL_HTTP_PORT: String(port) });
  try {
    await sb.startDaemon();
    await eventually(async () => (await sb.json<{ httpProblem: string | null }>(['daemon', 'status', '--json'])).httpProblem !== null, 'the daemon tried HTTP');
    const st = await sb.trail(['daemon', 'status']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, new RegExp(`MCP for agents over HTTP: not serving on 127\\.0\\.0\\.1:${port} \\(the port is taken\\); set http\\.port in config\\.yaml`));
    assert.doesNotMatch(st.stdout, /MCP for agents over HTTP at/);
  } finally {
    await sb.cleanup();
    taken.close();
  }
});

test('MCP against a store with no sessions says which store it is (an agent started without the person’s TRAIL_HOME reaches another)', async () => {
  const sb = new Sandbox();
  let client: Client | null = null;
  try {
    await sb.startDaemon();
    client = new Client({ name: 'trail-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', 'lost'], env: sb.env as Record<string, string>, stderr: 'pipe' }));
    const r = (await client.callTool({ name: 'get_briefing', arguments: { session: 'work' } })) as Result;
    assert.equal(r.isError, true);
    const store = sb.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const why = new RegExp(`no session named "work"; there are no sessions \\(trail new NAME\\); this is the store in ${store}: if the person set TRAIL_HOME, the agent's MCP configuration must pass it too`);
    assert.match(r.content[0].text!, why);
    await assert.rejects(client.getPrompt({ name: 'resume', arguments: { session: 'work' } }), why);
  } finally {
    await client?.close();
    await sb.cleanup();
  }
});
