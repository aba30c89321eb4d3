import type { CliCommand } from './command.js';
import { escapeControls } from './shown.js';
import { call, termSize } from './connect.js';
import { attach, nestedRefusal } from './attach-client.js';
import { out } from './output.js';
import type { SessionView } from '../api/views.js';

export const newCommand: CliCommand = {
  name: 'new',
  summary: 'create a session (and attach to it, unless -d or no terminal)',
  usage: 'trail new [NAME] [--dir DIR] [-d] [-- COMMAND...]',
  options: { dir: { type: 'string' }, detached: { type: 'boolean', short: 'd' }, json: { type: 'boolean' } },
  optionHelp: { dir: { arg: 'DIR', text: "the session's directory (default: here)" }, json: { text: 'print the new session as JSON' } },
  run: async ({ values, positionals, rest }) => {
    const attaching = !values.detached && !values.json && process.stdin.isTTY && process.stdout.isTTY;
    const nested = attaching ? nestedRefusal() : null;
    if (nested) {
      process.stderr.write(nested + '\n');
      return 1;
    }
    const s = await call('session.new', {
      name: positionals[0],
      dir: (values.dir as string | undefined) ?? process.cwd(),
      command: rest.length ? rest : undefined,
      shell: process.env.SHELL,
      ...termSize(),
    });
    if (values.detached || values.json || !process.stdin.isTTY || !process.stdout.isTTY) {
      if (values.json) process.stdout.write(JSON.stringify(s) + '\n');
      else out(`created session ${escapeControls(s.name)} in ${escapeControls(s.dir)}`);
      return 0;
    }
    return attach({ session: s.name, readOnly: false });
  },
};
