// `trail mcp`: MCP over stdio, relaying to the daemon (started if needed).
// Nothing but the protocol may reach stdout: anything else goes to stderr.
import { readFileSync } from 'node:fs';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { DaemonClient } from '../client/daemon-client.js';
import { trailMcpServer } from './server.js';

export async function serveMcp(identity: string, _person: string): Promise<void> {
  let client: Promise<DaemonClient> | null = null;
  const daemon = () => {
    // One connection, made on the first call; made again if the daemon went away.
    client ??= DaemonClient.connect({ start: true, client: identity }).then((c) => {
      c.onClose = () => (client = null);
      return c;
    });
    return client.catch((e) => {
      client = null;
      throw e;
    });
  };
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const handle = serveStdio(() => trailMcpServer(daemon, { identity, version }), { onerror: (e) => process.stderr.write(`trail mcp: ${e.message}\n`) });
  process.stdin.on('end', () => void handle.close().finally(() => process.exit(0)));
}
