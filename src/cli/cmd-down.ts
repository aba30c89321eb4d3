import type { CliCommand } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';

export const downCommand: CliCommand = {
  name: 'down',
  summary: "stop the session's services (or the named ones), dependents first; each gets its stop signal, then SIGKILL after its grace period",
  usage: 'trail down [NAME…] [--session S]',
  options: { session: { type: 'string', short: 's' } },
  optionHelp: { session: SESSION_HELP },
  run: async ({ values, positionals }) => {
    const session = await sessionArg(values.session as string | undefined, 'down');
    const { stopped } = await call('svc.down', { session, names: positionals });
    out(stopped.length ? `stopped ${stopped.join(', ')}` : 'no service was running');
    return 0;
  },
};
