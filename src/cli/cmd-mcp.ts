import type { CliCommand } from './command.js';
import { identity } from './identity.js';

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'serve MCP over stdio for an AI agent (Claude Code, Cursor, Codex…): read the sessions, its briefing, context, the trail, services, notes',
  usage: 'trail mcp [--agent NAME]',
  options: { agent: { type: 'string' } },
  optionHelp: { agent: { arg: 'NAME', text: "the agent's name: its briefing counts from its own last visit, and what it does is kept under it (default $TRAIL_AGENT, else the name its client gives, e.g. claude-code)" } },
  more: 'Started by the agent, not by you: see the README (MCP) for the configuration. It starts the daemon if none runs. Reading only, for now.',
  run: async ({ values }) => {
    const agent = (values.agent as string | undefined) ?? process.env.TRAIL_AGENT;
    const { serveMcp } = await import('../mcp/stdio.js');
    await serveMcp(agent ? `agent:${agent}` : null, identity());
    return new Promise<number>(() => {}); // serves until the agent closes stdin
  },
};
