// The daemon's HTTP face, on 127.0.0.1 only: MCP over Streamable HTTP at
// /mcp for agents that connect by URL (the web UI will live here too). Built
// on Hono (routing, middleware) and served by @hono/node-server; the MCP
// side is the SDK's createMcpHandler, which serves both eras of clients from
// one factory. Each request must carry a token the person made (trail token
// create); the agent is named after the token. Host and Origin are checked
// before anything else (DNS rebinding: a web page must not reach it).
import { Hono } from 'hono';
import { createMcpHandler, hostHeaderValidationResponse, localhostAllowedHostnames, localhostAllowedOrigins, originValidationResponse } from '@modelcontextprotocol/server';
import { everySessionSays, trailMcpServer, type OpCaller } from '../mcp/server.js';
import { invoke, errorShape } from '../api/define.js';
import { operations } from '../api/index.js';
import { tokenHash } from '../api/agents.js';
import type { ApiContext } from '../api/context.js';
import { ClientError } from '../client/daemon-client.js';
import { LEVELS, type AgentLevel as Level } from '../contract/ops.js';


/** The daemon's own operations, called in-process with the agent as the caller. */
function localCaller(ctx: ApiContext, client: string): OpCaller {
  return {
    call: (async (op: string, input: unknown) => {
      try {
        return await invoke(operations, ctx, op, input, { client });
      } catch (e) {
        const { code, message } = errorShape(e);
        throw new ClientError(message, code);
      }
    }) as OpCaller['call'],
  };
}

/** The most an agent with this token may do: the token's level, within the most any session allows. */
function levelFor(ctx: ApiContext, token: Level): Level {
  const most = ctx.manager.list().reduce<Level>((m, s) => {
    const p = ctx.notes.policy(s.id);
    return LEVELS.indexOf(p) > LEVELS.indexOf(m) ? p : m;
  }, 'read');
  return LEVELS[Math.min(LEVELS.indexOf(most), LEVELS.indexOf(token))];
}

export function httpApp(ctx: ApiContext, log: (line: string) => void): Hono {
  const mcp = createMcpHandler(
    (req) => {
      const name = String(req.authInfo?.clientId ?? 'http');
      const token = (req.authInfo?.scopes?.[0] ?? 'read') as Level;
      const identity = `agent:${name}`;
      const caller = localCaller(ctx, identity);
      const beyondLevel = (need: Level, session: string | null) =>
        LEVELS.indexOf(token) < LEVELS.indexOf(need)
          ? `the token ${name} allows ${token === 'read' ? 'reading only' : 'reading and notes'}; the person makes one that allows more with: trail token create NAME --level ${need}`
          : everySessionSays(need, session);
      return trailMcpServer(async () => caller, { identity, version: ctx.version, level: levelFor(ctx, token), beyondLevel });
    },
    { onerror: (e) => log(`http /mcp: ${e.message}`) },
  );
  const app = new Hono();
  // Only this machine, by name and by the page that calls.
  app.use('*', async (c, next) => {
    const rejected = hostHeaderValidationResponse(c.req.raw, localhostAllowedHostnames()) ?? originValidationResponse(c.req.raw, localhostAllowedOrigins());
    if (rejected) return rejected;
    await next();
  });
  app.all('/mcp', async (c) => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    const row = m ? ctx.policy.tokenByHash(tokenHash(m[1])) : undefined;
    if (!row)
      return c.json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: m ? 'this token is not known (revoked?): the person makes one with trail token create NAME' : 'a bearer token is needed: trail token create NAME makes one' } }, 401, {
        'WWW-Authenticate': 'Bearer realm="trail"',
      });
    ctx.policy.usedToken(row.id, ctx.now());
    return mcp.fetch(c.req.raw, { authInfo: { token: m![1], clientId: row.name, scopes: [row.level] } });
  });
  app.notFound((c) => c.text('trail: nothing here; MCP is at /mcp\n', 404));
  return app;
}

