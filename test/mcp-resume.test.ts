// Issue 12's "done when", as one story with the SDK's real client over stdio:
// the person's test failed and they left; an agent resumes from its briefing,
// runs the failing test, reads why it failed, fixes it, runs it again and
// leaves a note. Each step shows in trail log under the agent's name and in
// the person's next briefing, and nothing beyond the policy is possible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Sandbox, BIN, eventually } from './helpers.js';

type Result = { structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[]; isError?: boolean };
type Brief = {
  failed: { id: number; command: string; excerpt: string | null; actor: string; passedLater: { id: number; actor: string } | null }[];
  others: { actor: string; commands: number; failed: number; notes: number }[];
  notes: { text: string }[];
};

test('an agent resumes a session from its briefing, runs the failing test, reads why, fixes it, runs it again and leaves a note: all in trail log and the person’s next briefing', async () => {
  const sb = new Sandbox();
  const proj = join(sb.userHome, 'shop');
  mkdirSync(proj, { recursive: true });
  // A test run that prints 400 lines before the one that says why it failed.
  writeFileSync(join(proj, 'price.sh'), 'total() { echo $(( $1 * 2 )); }\n');
  writeFileSync(
    join(proj, 'test.sh'),
    '. ./price.sh\nfor i in $(seq 1 400); do echo "ok $i - stock check $i"; done\ngot=$(total 4)\n' +
      'if [ "$got" != 12 ]; then echo "not ok 401 - total of 4 items: expected 12, got $got"; echo "# 400 passed, 1 failed"; exit 1; fi\necho "# 401 passed"\n',
  );
  let client: Client | null = null;
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'shop', '-d', '--dir', proj]);
    await sb.trail(['policy', 'shop', 'notes']);
    // The person runs the tests, sees them fail, and leaves.
    const person = sb.attach(['attach', 'shop', '--no-brief']);
    await person.waitFor('$ ');
    person.type('bash test.sh\r');
    await person.waitFor('# 400 passed, 1 failed');
    person.type('\x1c');
    await person.left();

    // The agent, named by its client, as the README's configuration starts it (trail mcp, no flags).
    const env = { ...sb.env } as Record<string, string>;
    delete env.TRAIL_AGENT;
    client = new Client({ name: 'claude-code', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env, stderr: 'pipe' }));
    const call = async (name: string, args: Record<string, unknown>) => (await client!.callTool({ name, arguments: args })) as Result;

    // Resume: the prompt loads the briefing, which names the failed run and the line that says why.
    const resume = await client.getPrompt({ name: 'resume', arguments: { session: 'shop' } });
    const text = (resume.messages[0].content as { text: string }).text;
    assert.match(text, /bash test\.sh/);
    assert.match(text, /not ok 401 - total of 4 items: expected 12, got 8/);

    // Its budget is the whole prompt's, and a budget it cannot keep is a clear error.
    const small = await client.getPrompt({ name: 'resume', arguments: { session: 'shop', budget: '400' } });
    assert.ok((small.messages[0].content as { text: string }).text.length / 4 <= 400);
    await assert.rejects(client.getPrompt({ name: 'resume', arguments: { session: 'shop', budget: '100' } }), /budget is at least 300 tokens/);
    await assert.rejects(client.getPrompt({ name: 'resume', arguments: { session: 'shop', budget: 'lots' } }), (e: Error) => /budget is a number of tokens/.test(e.message) && !/at least 300/.test(e.message));

    // Under `notes` the agent cannot run anything: refused, nothing typed.
    const early = await call('run_command', { session: 'shop', command: 'bash test.sh' });
    assert.equal(early.isError, true);
    assert.equal(early.content[0].text, 'run_command is not allowed: session shop does not let agents run commands; the person allows it with: trail policy shop run');
    await sb.trail(['policy', 'shop', 'run']);
    await eventually(async () => (await client!.listTools()).tools.some((t) => t.name === 'run_command'), 'run tools listed after the person allows them');

    // Run the failing test: exit code and the end of the output, where the failure says why.
    const first = (await call('run_command', { session: 'shop', command: 'bash test.sh', waitMs: 30_000 })).structuredContent!;
    const r1 = first.result as { id: number; exitCode: number; output: string; earlierLines: number };
    assert.equal(r1.exitCode, 1);
    assert.match(r1.output, /not ok 401 - total of 4 items: expected 12, got 8/);
    assert.ok(r1.earlierLines > 300, `earlier lines: ${r1.earlierLines}`);
    // One paged read: only the failing line, with what is around it (lines numbered from 0, as get_command's offset counts).
    const why = (await call('get_command', { id: r1.id, grep: '^not ok', context: 1 })).structuredContent!;
    assert.match(why.output as string, /^399: ok 400 - stock check 400\n400: not ok 401 - total of 4 items: expected 12, got 8\n401: # 400 passed, 1 failed$/);

    // Once more, to be sure (a failure again), then the fix, then the test again.
    const again = ((await call('run_command', { session: 'shop', command: 'bash test.sh', waitMs: 30_000 })).structuredContent!.result as { id: number; exitCode: number });
    assert.equal(again.exitCode, 1);
    const fix = (await call('run_command', { session: 'shop', command: "sed -i 's/\\* 2/* 3/' price.sh", waitMs: 10_000 })).structuredContent!;
    assert.equal((fix.result as { exitCode: number }).exitCode, 0);
    assert.equal(readFileSync(join(proj, 'price.sh'), 'utf8'), 'total() { echo $(( $1 * 3 )); }\n');
    const second = (await call('run_command', { session: 'shop', command: 'bash test.sh', waitMs: 30_000 })).structuredContent!;
    const r2 = second.result as { id: number; exitCode: number; output: string };
    assert.deepEqual([r2.exitCode, r2.output.split('\n').at(-1)], [0, '# 401 passed']);
    const note = await call('add_note', { session: 'shop', text: 'total() doubled instead of tripling: fixed in price.sh, tests pass', commandId: r2.id });
    assert.equal(note.isError, undefined, note.content[0].text);
    await client.close();
    client = null;

    // trail log: the agent's four commands, marked with its name, after the person's.
    const log = (await sb.trail(['log', 'shop'])).stdout;
    const lines = log.split('\n').filter((l) => /^#\d+ .*(bash test\.sh|sed -i)/.test(l));
    assert.equal(lines.length, 5, log);
    assert.doesNotMatch(lines[0], /agent:/, 'the person’s own run');
    for (const l of lines.slice(1)) assert.match(l, /agent:claude-code/, l);
    assert.match(log, /note #\d+: total\(\) doubled instead of tripling.*\(agent:claude-code\)/);
    assert.match(log, /agent:claude-code: run_command .*bash test\.sh.* → refused: session shop does not let agents run commands/);

    // The person's next briefing says what the agent did.
    const b = await sb.json<Brief>(['brief', 'shop', '--json']);
    assert.deepEqual(b.others.find((o) => o.actor === 'agent:claude-code'), { actor: 'agent:claude-code', commands: 4, failed: 2, notes: 1, attached: 0, acted: 0, refused: 1 });
    assert.ok(b.notes.some((n) => /tests pass/.test(n.text)), JSON.stringify(b.notes));
    // Its failed runs are not news any more: the same line passed after them (told once, for the newest).
    assert.deepEqual(b.failed.map((f) => [f.id, f.passedLater?.id, f.passedLater?.actor]), [[again.id, r2.id, 'agent:claude-code']]);
    const shown = (await sb.trail(['brief', 'shop'])).stdout;
    assert.match(shown, new RegExp(`✓ bash test\\.sh · failed \\(exit 1\\), passed again \\d+s ago by agent:claude-code {2}→ trail show ${r2.id}`));
    assert.doesNotMatch(shown, /✗ bash test\.sh/);
    assert.equal(shown.match(/✓ bash test\.sh/g)?.length, 1, shown);
    assert.match(shown, /agent:claude-code ran 4 commands, 2 failed; was refused 1× by your policy; left 1 note/);
    // Coming back after seconds, not the 10 minutes a briefing waits for: an agent acted meanwhile, so attaching shows it.
    const back = sb.attach(['attach', 'shop', '-t', '0']);
    await back.waitFor(/agent:claude-code ran 4 commands, 2 failed/, 'all');
    back.type('\x1c');
    await back.left();

    // Seen: the next briefing says where each terminal was, and whose its last commands were.
    await sb.trail(['brief', 'shop', '--mark']);
    const later = (await sb.trail(['brief', 'shop'])).stdout;
    assert.match(later, /terminal 0: \S+ · you ran: bash test\.sh \(1\)/);
    assert.match(later, /terminal 1: \S+ · agent:claude-code ran: .*bash test\.sh$/m);
  } finally {
    await client?.close();
    await sb.cleanup();
  }
});
