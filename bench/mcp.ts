// AI in the session (issue 12), against what terminal MCP servers do today.
//
// mcp-run: running `true` through MCP (the SDK's stdio client: run_command,
// then wait_command), against the marker-and-poll method of tmux-mcp in the
// same run: `echo START; true; echo DONE_$?` sent with tmux send-keys, then
// capture-pane read until the end marker shows. tmux-mcp has no poll interval
// of its own (the agent asks again); we poll every 100 ms, far quicker than
// an agent's turn, and also show a 10 ms poll. And the same method served as
// tmux-mcp serves it (bench/tmux-mcp-method.ts: execute-command, then
// get-command-result asked again at once until done), through the same SDK
// client as trail: what an agent waits for with it at the very least.
//
// mcp-tokens: what an agent reads to learn why `npm test` failed in a project
// whose test run prints 2,000 lines: trail's wait result plus one grep of the
// output, against a 1,000-line capture-pane (tokens: characters / 4).
//
// mcp-echo: keystroke echo p99 in an attached terminal while an agent polls
// wait_command in a loop, against the same with no agent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { World, BIN, pct, ratio, sleep } from './lib.js';
import { echoBlock } from './terminal.js';

type Result = { structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[]; isError?: boolean };

async function agent(w: World, name: string): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1.0.0' });
  await c.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--agent', name], env: w.env, stderr: 'ignore' }));
  return c;
}

const call = async (c: Client, name: string, args: Record<string, unknown>) => {
  const r = (await c.callTool({ name, arguments: args })) as Result;
  if (r.isError) throw new Error(`${name}: ${r.content[0]?.text}`);
  return r;
};

/** tmux-mcp's method: markers around the command, capture-pane until the end marker is there. */
async function markerRun(w: World, pane: string, n: number, pollMs: number): Promise<number> {
  const start = `TMUX_MCP_START_${n}`;
  const done = `TMUX_MCP_DONE_${n}_`;
  const t0 = performance.now();
  w.tmux('send-keys', '-t', pane, `echo "${start}"; true; echo "${done}$?"`, 'Enter');
  for (;;) {
    const text = w.tmux('capture-pane', '-p', '-t', pane, '-S', '-3000');
    const s = text.lastIndexOf(start);
    const e = text.lastIndexOf(done);
    // The typed line holds both markers too: the end marker printed is on a line of its own.
    if (s >= 0 && e > s && new RegExp(`^${done}\\d+$`, 'm').test(text.slice(s))) return performance.now() - t0;
    await sleep(pollMs);
  }
}

/** tmux-mcp's method through MCP: execute-command, then get-command-result until it says completed. */
async function servedMarkerRun(c: Client, pane: string): Promise<number> {
  const t0 = performance.now();
  const started = (await c.callTool({ name: 'execute-command', arguments: { paneId: pane, command: 'true' } })) as Result;
  const id = /Id: (\d+)/.exec(started.content[0]?.text ?? '')?.[1];
  if (!id) throw new Error(`execute-command: ${started.content[0]?.text}`);
  for (;;) {
    const r = (await c.callTool({ name: 'get-command-result', arguments: { commandId: id } })) as Result;
    const text = r.content[0]?.text ?? '';
    if (text.startsWith('Status: completed')) {
      if (!/Exit code: 0/.test(text)) throw new Error(text);
      return performance.now() - t0;
    }
  }
}

export async function mcpRun(rounds: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  let client: Client | null = null;
  let served: Client | null = null;
  try {
    await w.startDaemon();
    w.trail('new', 'm', '-d', '--dir', w.userHome);
    w.trail('policy', 'm', 'run');
    client = await agent(w, 'bench');
    w.tmuxSession('mk', 120, 40, 'bash --norc --noprofile');
    w.tmux('send-keys', '-t', 'mk', "PS1='$ '", 'Enter');
    w.tmuxSession('ms', 120, 40, 'bash --norc --noprofile');
    w.tmux('send-keys', '-t', 'ms', "PS1='$ '", 'Enter');
    served = new Client({ name: 'bench', version: '1.0.0' });
    const method = join(dirname(fileURLToPath(import.meta.url)), 'tmux-mcp-method.js');
    await served.connect(new StdioClientTransport({ command: process.execPath, args: [method, w.tmuxSock], env: w.env, stderr: 'inherit' }));
    await sleep(300);
    const trail: number[] = [];
    const oneCall: number[] = [];
    const poll100: number[] = [];
    const poll10: number[] = [];
    const viaMcp: number[] = [];
    // Warm both up, then alternate, so neither side gets the quieter moments.
    for (let i = 0; i < 5; i++) {
      const r = await call(client, 'run_command', { session: 'm', command: 'true' });
      await call(client, 'wait_command', { handle: r.structuredContent!.handle, timeoutMs: 10_000 });
      await markerRun(w, 'mk', -i - 1, 10);
      await servedMarkerRun(served, 'ms');
    }
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const r = await call(client, 'run_command', { session: 'm', command: 'true' });
      const d = await call(client, 'wait_command', { handle: r.structuredContent!.handle, timeoutMs: 10_000 });
      if (d.structuredContent!.exitCode !== 0) throw new Error('true did not exit 0');
      trail.push(performance.now() - t0);
      const t1 = performance.now();
      const one = await call(client, 'run_command', { session: 'm', command: 'true', waitMs: 10_000 });
      if ((one.structuredContent!.result as { exitCode: number }).exitCode !== 0) throw new Error('true did not exit 0');
      oneCall.push(performance.now() - t1);
      poll100.push(await markerRun(w, 'mk', i * 2, 100));
      poll10.push(await markerRun(w, 'mk', i * 2 + 1, 10));
      viaMcp.push(await servedMarkerRun(served, 'ms'));
    }
    for (const xs of [trail, oneCall, poll100, poll10, viaMcp]) xs.sort((a, b) => a - b);
    out.push(`mcp-run: \`true\` run through MCP and its exit code read back, ${rounds} rounds each, alternating`);
    out.push(`  trail (SDK stdio client: run_command + wait_command)   p50 ${pct(trail, 50).toFixed(1)} ms   p99 ${pct(trail, 99).toFixed(1)} ms`);
    out.push(`  trail (run_command with waitMs: one call)             p50 ${pct(oneCall, 50).toFixed(1)} ms   p99 ${pct(oneCall, 99).toFixed(1)} ms`);
    out.push(`  tmux markers, capture-pane every 100 ms                p50 ${pct(poll100, 50).toFixed(1)} ms   p99 ${pct(poll100, 99).toFixed(1)} ms`);
    out.push(`  tmux markers, capture-pane every 10 ms                 p50 ${pct(poll10, 50).toFixed(1)} ms   p99 ${pct(poll10, 99).toFixed(1)} ms`);
    out.push(`  tmux markers served over MCP as tmux-mcp does, asked again at once   p50 ${pct(viaMcp, 50).toFixed(1)} ms   p99 ${pct(viaMcp, 99).toFixed(1)} ms`);
    out.push(`  markers over MCP / trail: p50 ${ratio(pct(viaMcp, 50), pct(trail, 50))}, one call ${ratio(pct(viaMcp, 50), pct(oneCall, 50))}`);
    out.push(`  markers (100 ms) / trail: p50 ${ratio(pct(poll100, 50), pct(trail, 50))}, one call ${ratio(pct(poll100, 50), pct(oneCall, 50))} (goal ≥ 10×); markers (10 ms) / trail one call: p50 ${ratio(pct(poll10, 50), pct(oneCall, 50))}`);
  } finally {
    await client?.close();
    await served?.close();
    w.stop();
  }
  return out;
}

/** A project whose `npm test` prints 2,000 lines: passing tests, one failure in the middle, the summary at the end. */
function failingProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', scripts: { test: 'node run-tests.js' } }, null, 2));
  writeFileSync(
    join(dir, 'run-tests.js'),
    `const lines = [];
for (let i = 1; i <= 1985; i++) {
  if (i === 1200) { lines.push('  ✗ checkout › applies the discount code (12 ms)'); continue; }
  lines.push('  ✓ suite ' + Math.ceil(i / 40) + ' › case ' + i + ' returns the expected total (' + (i % 7 + 1) + ' ms)');
}
lines.push('', 'Failures:', '', '  1) checkout › applies the discount code', '     AssertionError: expected 90 to equal 81', '       at Context.<anonymous> (test/checkout.test.js:57:12)',
  '       at processImmediate (node:internal/timers:476:21)', '', '  1984 passing (4s)', '  1 failing', '');
console.log(lines.join('\\n'));
process.exit(1);
`,
  );
}

export async function mcpTokens(): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  let client: Client | null = null;
  const proj = join(w.userHome, 'shop');
  failingProject(proj);
  try {
    await w.startDaemon();
    w.trail('new', 'tk', '-d', '--dir', proj);
    w.trail('policy', 'tk', 'run');
    client = await agent(w, 'bench');
    // trail: run, wait (the tail of the output), then one read: the lines that say what failed.
    const r = await call(client, 'run_command', { session: 'tk', command: 'npm test' });
    const waited = await call(client, 'wait_command', { handle: r.structuredContent!.handle, timeoutMs: 60_000 });
    const grep = await call(client, 'get_command', { id: r.structuredContent!.handle, grep: '✗|error|fail', context: 1, limit: 40 });
    const trailChars = [r, waited, grep].reduce((n, x) => n + (x.content[0]?.text ?? '').length, 0);
    const why = /AssertionError: expected 90 to equal 81/.test(waited.structuredContent!.output as string) && /✗ checkout › applies the discount code/.test(grep.structuredContent!.output as string);
    // tmux-mcp: the same run in a pane, then a 1,000-line capture (what its execute-command result and read give).
    w.tmuxSession('tk', 120, 40, 'bash --norc --noprofile');
    w.tmux('set-option', '-t', 'tk', 'history-limit', '5000');
    w.tmux('send-keys', '-t', 'tk', `cd ${proj} && echo TMUX_MCP_START; npm test; echo TMUX_MCP_DONE_$?`, 'Enter');
    for (let i = 0; i < 600 && !/^TMUX_MCP_DONE_\d+$/m.test(w.tmux('capture-pane', '-p', '-t', 'tk')); i++) await sleep(100);
    const capture = w.tmux('capture-pane', '-p', '-t', 'tk', '-S', '-1000');
    const tokens = (chars: number) => Math.ceil(chars / 4);
    out.push('mcp-tokens: what an agent reads to learn why `npm test` failed (2,000 lines of test output; tokens = characters / 4)');
    out.push(`  trail: run_command + wait_command (last 60 lines) + get_command grep: ${tokens(trailChars)} tokens (the failing test and its assertion in them: ${why ? 'yes' : 'NO'})`);
    out.push(`  tmux-mcp: capture-pane of 1,000 lines: ${tokens(capture.length)} tokens (the failing test in them: ${capture.includes('✗ checkout') ? 'yes' : 'no, scrolled past'})`);
    out.push(`  trail / capture: ${ratio(tokens(trailChars), tokens(capture.length))} (goal ≤ 0.20×)`);
  } finally {
    await client?.close();
    w.stop();
  }
  return out;
}

export async function mcpEcho(n: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  let client: Client | null = null;
  try {
    await w.startDaemon();
    w.trail('new', 'ec', '-d', '--dir', w.userHome, '--', 'cat');
    w.trail('new', 'ag', '-d', '--dir', w.userHome);
    w.trail('policy', 'ag', 'run');
    const t = w.outer(process.execPath, [BIN, 'attach', 'ec', '--no-brief']);
    await sleep(1500);
    await echoBlock(t, 300, []);
    client = await agent(w, 'poller');
    const long = await call(client, 'run_command', { session: 'ag', command: 'sleep 100000' });
    let polling = false;
    let polls = 0;
    const poll = async (timeoutMs: number) => {
      while (polling) {
        await call(client!, 'wait_command', { handle: long.structuredContent!.handle, timeoutMs });
        polls++;
      }
    };
    // Idle, then an agent looping on wait as documented (each call blocks up to 1 s in the daemon),
    // then one that asks without waiting, as fast as it can: alternating blocks of 100.
    const modes = [
      { label: 'idle', timeoutMs: -1, xs: [] as number[], ms: 0, polls: 0 },
      { label: 'agent looping on wait (1 s)', timeoutMs: 1000, xs: [] as number[], ms: 0, polls: 0 },
      { label: 'agent busy-polling (wait 0)', timeoutMs: 0, xs: [] as number[], ms: 0, polls: 0 },
    ];
    for (let done = 0; done < n; done += 100) {
      for (const m of modes) {
        polls = 0;
        polling = m.timeoutMs >= 0;
        const p = polling ? poll(m.timeoutMs) : Promise.resolve();
        const t0 = performance.now();
        await echoBlock(t, 100, m.xs);
        m.ms += performance.now() - t0;
        m.polls += polls;
        polling = false;
        await p;
      }
    }
    out.push(`mcp-echo: keystroke echo in an attached terminal while an agent polls wait_command in a loop (${n} keys each, alternating blocks of 100)`);
    for (const m of modes) {
      m.xs.sort((a, b) => a - b);
      out.push(`  ${m.label.padEnd(30)} p50 ${pct(m.xs, 50).toFixed(3)} ms   p99 ${pct(m.xs, 99).toFixed(3)} ms${m.timeoutMs >= 0 ? `   (${Math.round((m.polls / m.ms) * 1000)} calls/s)` : ''}`);
    }
    out.push(`  looping on wait / idle: p99 ${ratio(pct(modes[1].xs, 99), pct(modes[0].xs, 99))} (goal ≤ 1.10×); busy-polling / idle: p99 ${ratio(pct(modes[2].xs, 99), pct(modes[0].xs, 99))}`);
    t.p.kill();
  } finally {
    await client?.close();
    w.stop();
  }
  return out;
}
