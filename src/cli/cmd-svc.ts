import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { clock, json, out, paint, table } from './output.js';
import { limitArg } from './filters.js';
import { sessionArg } from './session-arg.js';
import { escapeControls } from './shown.js';
import { followUp, stateText } from './services-view.js';

export const svcCommand: CliCommand = {
  name: 'svc',
  summary: "a session's services: ls, logs, start, stop, restart",
  usage: 'trail svc ls [--json] | trail svc logs NAME [-f] [-n N] [--since 10m] [--grep TEXT] [--stderr] | trail svc start|stop|restart NAME…|--all',
  options: {
    session: { type: 'string', short: 's' },
    json: { type: 'boolean' },
    follow: { type: 'boolean', short: 'f' },
    limit: { type: 'string', short: 'n' },
    since: { type: 'string' },
    grep: { type: 'string' },
    stderr: { type: 'boolean' },
    all: { type: 'boolean', short: 'a' },
  },
  optionHelp: {
    session: { arg: 'S', text: 'the session (default: the one you are in, or the one for this directory)' },
    follow: { text: 'logs: keep printing lines as they come (Ctrl-C stops)' },
    limit: { arg: 'N', text: 'logs: the last N lines (default 100)' },
    grep: { arg: 'TEXT', text: 'logs: only lines that contain TEXT (any case)' },
    stderr: { text: 'logs: only what the service wrote to stderr' },
    all: { text: 'start, stop, restart: every service' },
  },
  run: async ({ values, positionals }) => {
    const [verb, ...names] = positionals;
    const session = await sessionArg(values.session as string | undefined, 'svc');
    switch (verb) {
      case 'ls':
      case 'list':
      case undefined: {
        const l = await call('svc.list', { session });
        if (values.json) return json(l), 0;
        if (!l.file) {
          out(`no services: ${session} has no trail.yaml or Procfile in its directory`);
          return 0;
        }
        out(paint.dim(`services of ${session}, from ${l.file}`));
        for (const w of l.warnings) out(paint.yellow(w));
        out(
          table([
            ['NAME', 'STATE', 'PID', 'PORTS', 'RESTARTS', 'COMMAND'],
            ...l.services.map((s) => [s.name, stateText(s), s.pid ? String(s.pid) : '', s.ports.join(','), String(s.restarts), escapeControls(s.command).slice(0, 60)]),
          ]),
        );
        return 0;
      }
      case 'logs': {
        const name = names[0];
        if (!name) throw new UsageError('svc logs needs a service name (trail svc ls lists them)');
        const base = { session, name, since: values.since as string | undefined, grep: values.grep as string | undefined, stream: values.stderr ? ('err' as const) : undefined };
        let lines = await call('svc.logs', { ...base, limit: limitArg(values.limit, 100, 10_000) });
        const show = (ls: typeof lines) => {
          for (const l of ls) out(`${paint.dim(clock(l.at).slice(11))} ${l.stream === 'err' ? paint.red('err') : paint.dim('out')} ${escapeControls(l.line)}`);
        };
        if (values.json && !values.follow) return json(lines), 0;
        show(lines);
        let after = lines.length ? lines[lines.length - 1].id : undefined;
        while (values.follow) {
          await new Promise((r) => setTimeout(r, 200));
          lines = await call('svc.logs', { ...base, since: undefined, limit: 10_000, afterId: after ?? 0 });
          show(lines);
          if (lines.length) after = lines[lines.length - 1].id;
        }
        return 0;
      }
      case 'start':
      case 'stop':
      case 'restart': {
        if (!names.length && !values.all) throw new UsageError(`svc ${verb} needs service names, or --all`);
        if (verb !== 'start') {
          const { stopped } = await call('svc.down', { session, names });
          out(stopped.length ? `stopped ${stopped.join(', ')}` : 'no service was running');
          if (verb === 'stop') return 0;
        }
        const { starting } = await call('svc.up', { session, names });
        return (await followUp(session, starting, 120_000)) ? 0 : 1;
      }
      default:
        throw new UsageError('svc takes ls, logs, start, stop or restart');
    }
  },
};
