// The one table of CLI commands: `trail help` reads it. Adding a command is one
// file and one line here.
import type { CliCommand } from './command.js';
import { defaultCommand } from './cmd-default.js';
import { newCommand } from './cmd-new.js';
import { attachCommand } from './cmd-attach.js';
import { lsCommand } from './cmd-ls.js';
import { killCommand } from './cmd-kill.js';
import { renameCommand } from './cmd-rename.js';
import { termCommand } from './cmd-term.js';
import { logCommand } from './cmd-log.js';
import { showCommand } from './cmd-show.js';
import { searchCommand } from './cmd-search.js';
import { lastCommand } from './cmd-last.js';
import { initCommand } from './cmd-init.js';
import { daemonCommand } from './cmd-daemon.js';
import { offCommand } from './cmd-off.js';
import { onCommand } from './cmd-on.js';
import { importCommand } from './cmd-import.js';
import { upCommand } from './cmd-up.js';
import { downCommand } from './cmd-down.js';
import { svcCommand } from './cmd-svc.js';
import { briefCommand } from './cmd-brief.js';
import { noteCommand, notesCommand } from './cmd-note.js';
import { contextCommand } from './cmd-context.js';
import { resetCommand } from './cmd-reset.js';
import { forgetCommand } from './cmd-forget.js';
import { mcpCommand } from './cmd-mcp.js';
import { policyCommand } from './cmd-policy.js';
import { approveCommand, denyCommand } from './cmd-approve.js';
import { tokenCommand } from './cmd-token.js';
import { agentCommand } from './cmd-agent.js';

export const commands: CliCommand[] = [
  defaultCommand,
  newCommand,
  attachCommand,
  lsCommand,
  killCommand,
  renameCommand,
  termCommand,
  logCommand,
  showCommand,
  searchCommand,
  lastCommand,
  importCommand,
  upCommand,
  downCommand,
  svcCommand,
  briefCommand,
  noteCommand,
  notesCommand,
  contextCommand,
  resetCommand,
  forgetCommand,
  mcpCommand,
  policyCommand,
  approveCommand,
  denyCommand,
  tokenCommand,
  agentCommand,
  offCommand,
  onCommand,
  initCommand,
  daemonCommand,
];

export function findCommand(name: string): CliCommand | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}
