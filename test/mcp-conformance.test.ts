// trail's MCP server against the protocol's own tools: the server scenarios of
// @modelcontextprotocol/conformance over HTTP (expected failures listed, with
// their reasons, in mcp-conformance.expected.yaml and docs/mcp-conformance.md),
// and the MCP Inspector's CLI mode over stdio (`trail mcp`) and over HTTP.
// Both are pinned and installed by scripts/test-deps.sh into a cache, never
// dependencies of trail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox, BIN, eventually } from './helpers.js';

const TOOLS = process.env.TRAIL_MCP_TOOLS ?? join(homedir(), '.cache', 'trail-mcp-tools');
const bin = (name: string) => join(TOOLS, 'node_modules', '.bin', name);
const EXPECTED = fileURLToPath(new URL('../../test/mcp-conformance.expected.yaml', import.meta.url));

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 150_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr, stdout }));
  });
}

/** The suite has no way to send a bearer token: a proxy on 127.0.0.1 adds the person's. */
function tokenProxy(target: string, token: string): Promise<{ url: string; close: () => void }> {
  const t = new URL(target);
  const srv = http.createServer((req, res) => {
    const up = http.request({ host: t.hostname, port: t.port, path: t.pathname, method: req.method, headers: { ...req.headers, authorization: `Bearer ${token}` } }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => (res.writeHead(502), res.end()));
    req.pipe(up);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/mcp`, close: () => srv.close() })));
}

test('MCP conformance (server scenarios over HTTP) and the Inspector CLI (stdio and HTTP) against trail', async () => {
  assert.ok(existsSync(bin('conformance')) && existsSync(bin('mcp-inspector')), `the MCP test tools are installed by scripts/test-deps.sh into ${TOOLS} (npm test runs it first)`);
  const sb = new Sandbox();
  let proxy: { url: string; close: () => void } | null = null;
  try {
    await sb.startDaemon();
    await sb.trail(['new', 'cf', '-d', '--dir', sb.userHome]);
    await sb.trail(['policy', 'cf', 'run']);
    const token = (await sb.trail(['token', 'create', 'inspector', '--level', 'run'])).stdout.trim();
    let url: string | null = null;
    await eventually(async () => (url = (await sb.json<{ mcpUrl: string | null }>(['daemon', 'status', '--json'])).mcpUrl) !== null, 'the daemon serves HTTP');
    const env = { ...(sb.env as NodeJS.ProcessEnv), HOME: homedir() };

    // The Inspector over stdio: the command an agent would start (the Inspector passes the server only the environment it is given).
    const serverEnv = ['-e', `TRAIL_HOME=${sb.env.TRAIL_HOME}`, '-e', 'TRAIL_CHECK_OUTPUT=1'];
    const tools = await run(bin('mcp-inspector'), ['--cli', ...serverEnv, process.execPath, BIN, 'mcp', '--agent', 'inspector', '--method', 'tools/list'], env);
    assert.equal(tools.code, 0, tools.out);
    const names = (JSON.parse(tools.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    for (const n of ['list_sessions', 'get_briefing', 'run_command', 'wait_command', 'wait_approval']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
    const listed = await run(bin('mcp-inspector'), ['--cli', ...serverEnv, process.execPath, BIN, 'mcp', '--method', 'tools/call', '--tool-name', 'list_sessions'], env);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /"name": ?"cf"/);
    // And over HTTP with the token; the resume prompt with its argument.
    const prompt = await run(bin('mcp-inspector'), ['--cli', url!, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, '--method', 'prompts/get', '--prompt-name', 'resume', '--prompt-args', 'session=cf'], env);
    assert.equal(prompt.code, 0, prompt.out);
    assert.match(prompt.out, /picking up work in the trail session \\?"cf\\?"/);
    const templates = await run(bin('mcp-inspector'), ['--cli', url!, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, '--method', 'resources/templates/list'], env);
    assert.match(templates.out, /trail:\/\/command\/\{id\}/);

    // The conformance suite's server scenarios, against the expected failures baseline.
    proxy = await tokenProxy(url!, token);
    const conf = await run(bin('conformance'), ['server', '--url', proxy.url, '--expected-failures', EXPECTED], env);
    const summary = conf.out.slice(conf.out.indexOf('=== SUMMARY ==='));
    assert.equal(conf.code, 0, summary || conf.out.slice(-3000));
    for (const s of ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'dns-rebinding-protection']) assert.match(summary, new RegExp(`✓ ${s}: [1-9]\\d* passed, 0 failed`), s);
  } finally {
    proxy?.close();
    await sb.cleanup();
  }
});
