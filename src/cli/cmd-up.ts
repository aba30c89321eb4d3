import type { CliCommand } from './command.js';
import { call, termSize } from './connect.js';
import { out } from './output.js';
import { currentSession } from './session-arg.js';
import { followUp } from './services-view.js';

export const upCommand: CliCommand = {
  name: 'up',
  summary: "start the session's services (from its trail.yaml, process-compose.yaml or Procfile) in dependency order, and show them come up",
  usage: 'trail up [NAME…] [--session S] [--detach]',
  options: { session: { type: 'string', short: 's' }, detach: { type: 'boolean', short: 'd' } },
  optionHelp: { session: { arg: 'S', text: 'the session (default: the one you are in, or the one for this directory, made if there is none)' }, detach: { text: 'start them and return at once' } },
  run: async ({ values, positionals }) => {
    // In a project with no session yet, as process-compose or overmind would just start: the session for this directory is made.
    const session = (values.session as string | undefined) ?? (await currentSession()) ?? (await call('session.ensure', { dir: process.cwd(), shell: process.env.SHELL, ...termSize() })).name;
    const { starting, warnings } = await call('svc.up', { session, names: positionals });
    for (const w of warnings) process.stderr.write(`trail: ${w}\n`);
    if (!starting.length) {
      out('no services to start (none has autostart, or none is declared)');
      return 0;
    }
    if (values.detach) {
      out(`starting ${starting.join(', ')}`);
      return 0;
    }
    out(`starting ${starting.length} service${starting.length === 1 ? '' : 's'} of ${session}:`);
    return (await followUp(session, starting, 120_000)) ? 0 : 1;
  },
};
