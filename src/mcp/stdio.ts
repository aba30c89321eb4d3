// `trail mcp`: MCP over stdio, relaying to the daemon (started if needed).
// Nothing but the protocol may reach stdout: anything else goes to stderr.
import { readFileSync } from 'node:fs';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { DaemonClient } from '../client/daemon-client.js';
import { trailPaths } from '../platform/paths.js';
import { trailMcpServer, type TrailMcpServer } from './server.js';

/** identity: the agent's name as the person gave it, or null: then its client's own (see McpOptions). */
export async function serveMcp(identity: string | null, _person: string): Promise<void> {
  let client: Promise<DaemonClient> | null = null;
  const daemon = () => {
    // One connection, made on the first call; made again if the daemon went away.
    client ??= DaemonClient.connect({ start: true, client: identity ?? 'agent:mcp' }).then((c) => {
      c.onClose = () => (client = null);
      return c;
    });
    return client.catch((e) => {
      client = null;
      throw e;
    });
  };
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  // The tools listed are those the person allows in some session (trail policy); each call checks its own session.
  const mostAllowed = async (): Promise<'read' | 'notes' | 'run'> => {
    let level: 'read' | 'notes' | 'run' = 'read';
    const c = await daemon();
    for (const s of await c.call('session.list', {})) {
      const p = (await c.call('session.policy', { session: s.name, actor: identity ?? 'agent:mcp' })).level;
      if (p === 'run' || (p === 'notes' && level === 'read')) level = p;
    }
    return level;
  };
  let level: 'read' | 'notes' | 'run' = 'read';
  const servers = new Set<TrailMcpServer>();
  try {
    level = await mostAllowed();
    // A change of policy while connected: the tool list follows (the client hears list_changed).
    const c = await daemon();
    c.onEvent = (e) => {
      if (e.kind !== 'policy.changed') return;
      void mostAllowed().then((l) => {
        level = l;
        for (const s of servers) s.setLevel(l);
      }, () => {});
    };
    c.send({ t: 'watch', kinds: ['policy.changed'] });
  } catch (e) {
    process.stderr.write(`trail mcp: ${(e as Error).message}\n`);
  }
  const handle = serveStdio(
    () => {
      const emptyStore = `this is the store in ${trailPaths().home}: if the person set TRAIL_HOME, the agent's MCP configuration must pass it too`;
      const s = trailMcpServer(daemon, { identity, version, level, emptyStore });
      servers.add(s);
      return s;
    },
    { onerror: (e) => process.stderr.write(`trail mcp: ${e.message}\n`) },
  );
  process.stdin.on('end', () => void handle.close().finally(() => process.exit(0)));
}
