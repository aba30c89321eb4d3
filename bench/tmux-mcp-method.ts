// The marker-and-poll method as tmux-mcp serves it to an agent, for mcp-run's
// baseline through MCP: an MCP server over stdio with its two tools.
// execute-command types `echo "TMUX_MCP_START_ID"; CMD; echo "TMUX_MCP_DONE_ID_$?"`
// into the pane with `tmux send-keys` and returns an id; get-command-result
// captures the pane's last 1,000 lines and looks for the markers. Each tmux
// call goes through a shell (child_process.exec), as tmux-mcp 0.2.2's does.
// The markers carry the command's id (as its forks' do) so that an earlier
// command's markers are never taken for this one's.
// Written for this benchmark from tmux-mcp's description of its method; it
// holds none of its code. argv: the tmux socket name (-L).
import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const run = promisify(exec);
const socket = process.argv[2] ?? 'default';
const tmux = async (args: string) => (await run(`tmux -L ${socket} ${args}`)).stdout;

const commands = new Map<string, { pane: string; done: boolean; exitCode: number | null; output: string }>();
let next = 0;

serveStdio(() => {
  const server = new McpServer({ name: 'tmux-method', version: '1.0.0' });
  server.registerTool(
    'execute-command',
    { description: 'Types a command wrapped in start and end markers into a tmux pane; returns its id.', inputSchema: z.object({ paneId: z.string(), command: z.string() }) },
    async ({ paneId, command }) => {
      const id = String(++next);
      commands.set(id, { pane: paneId, done: false, exitCode: null, output: '' });
      const line = `echo "TMUX_MCP_START_${id}"; ${command}; echo "TMUX_MCP_DONE_${id}_$?"`;
      await tmux(`send-keys -t '${paneId}' '${line.replace(/'/g, "'\\''")}' Enter`);
      return { content: [{ type: 'text', text: `Command execution started. Id: ${id}` }] };
    },
  );
  server.registerTool(
    'get-command-result',
    { description: "Captures the pane and looks for the command's end marker.", inputSchema: z.object({ commandId: z.string() }) },
    async ({ commandId }) => {
      const c = commands.get(commandId);
      if (!c) return { content: [{ type: 'text', text: `Command not found: ${commandId}` }], isError: true };
      if (!c.done) {
        const text = await tmux(`capture-pane -p -t '${c.pane}' -S -1000 -E -`);
        const mark = `TMUX_MCP_START_${commandId}\n`;
        const start = text.lastIndexOf(mark);
        // The typed line holds both markers too: the printed end marker is on a line of its own.
        const end = start < 0 ? null : new RegExp(`^TMUX_MCP_DONE_${commandId}_(\\d+)$`, 'm').exec(text.slice(start));
        if (end) Object.assign(c, { done: true, exitCode: Number(end[1]), output: text.slice(start + mark.length, start + end.index).trim() });
      }
      return { content: [{ type: 'text', text: c.done ? `Status: completed\nExit code: ${c.exitCode}\n\n--- Output ---\n${c.output}` : 'Command still executing...' }] };
    },
  );
  return server;
});
