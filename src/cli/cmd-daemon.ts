import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { DaemonClient, ClientError } from '../client/daemon-client.js';
import { json, out, ago } from './output.js';
import { trailPaths } from '../platform/paths.js';
import { running } from '../platform/pid-file.js';

type Status = {
  pid: number;
  version: string;
  home: string;
  startedAt: number;
  sessions: number;
  terminals: number;
  rss: number;
  relay: string;
  recording: { ok: boolean; failingSince: number | null; notKept: number; lastError: string | null };
};

const mb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.round(b / 1e3)} kB`);

export const daemonCommand: CliCommand = {
  name: 'daemon',
  summary: 'run the daemon in the foreground, or: start (in the background), status, stop',
  usage: 'trail daemon [start | status [--json] | stop [--force]]',
  options: { json: { type: 'boolean' }, force: { type: 'boolean', short: 'f' } },
  run: async ({ values, positionals }) => {
    const verb = positionals[0];
    if (verb === undefined || verb === 'run') {
      const { runDaemon } = await import('../server/main.js');
      const code = await runDaemon({ foreground: true });
      if (code !== 0) return code;
      return new Promise<number>(() => {}); // serve until stopped
    }
    if (verb === 'start') {
      // Starts one unless one runs (reading commands never do; sessions and attaching do it themselves).
      const already = await DaemonClient.connect({ start: false }).then(
        (d) => (d.close(), true),
        (e) => {
          if (e instanceof ClientError && e.code === 'not_running') return false;
          throw e;
        },
      );
      const d = already ? null : await DaemonClient.connect();
      d?.close();
      out(already ? 'a daemon is running already' : `started the daemon (state dir ${trailPaths().home})`);
      return 0;
    }
    let c: DaemonClient;
    try {
      c = await DaemonClient.connect({ start: false });
    } catch (e) {
      if (e instanceof ClientError && e.code === 'not_running') {
        if (verb === 'stop') {
          out('no daemon is running');
          return 0;
        }
        out(`no daemon is running (state dir ${trailPaths().home})`);
        return 3;
      }
      throw e;
    }
    try {
      if (verb === 'status') {
        const s = await c.call('daemon.status', {});
        if (values.json) json(s);
        else
          out(
            `trail daemon ${s.version}: pid ${s.pid}, up since ${ago(s.startedAt)}, ${s.sessions} session(s), ${s.terminals} terminal(s), ${(s.rss / 1048576).toFixed(1)} MiB, bytes moved by ${s.relay === 'native' ? 'the native relay' : `JavaScript (${s.relay})`}, state in ${s.home}` +
              (s.recording.ok
                ? s.recording.notKept
                  ? `\nrecording works; ${s.recording.notKept} record(s) were not kept while it failed`
                  : ''
                : `\nrecording FAILS since ${ago(s.recording.failingSince!)}: ${s.recording.notKept} record(s) not kept (${s.recording.lastError}); free space in ${s.home}`) +
              (s.store
                ? `\nstore ${mb(s.store.file)}: commands with their output ${mb(s.store.commands)}, search indexes ${mb(s.store.index)}, services' output ${mb(s.store.serviceOutput)}, events ${mb(s.store.events)}, notes ${mb(s.store.notes)}, other ${mb(s.store.other)}; write-ahead logs ${mb(s.store.wal)} more`
                : '') +
              (s.mcpUrl ? `\nMCP for agents over HTTP at ${s.mcpUrl} (trail token create NAME)` : '') +
              (s.httpProblem ? `\nMCP for agents over HTTP: ${s.httpProblem}` : ''),
          );
        return 0;
      }
      if (verb === 'stop') {
        const r = await c.call('daemon.stop', {
          force: Boolean(values.force),
        });
        await new Promise<void>((resolve) => {
          c.sock.once('close', () => resolve());
          setTimeout(resolve, 3000).unref();
        });
        // Stopped means gone: the process has ended, not only closed its socket.
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && running(r.pid)) await new Promise((res) => setTimeout(res, 20));
        if (running(r.pid)) {
          out(`asked the daemon (pid ${r.pid}) to stop; it is still running after 5 s`);
          return 1;
        }
        const ended = r.terminals ? `; ${r.terminals} shell(s) ended with it${r.running.length ? `, ${r.running.length} of them running a command (kept as lost)` : ''}` : '';
        out(`stopped the daemon (pid ${r.pid})${ended}`);
        return 0;
      }
      throw new UsageError(`daemon takes start, status or stop, not ${JSON.stringify(verb)}`);
    } finally {
      c.close();
    }
  },
};
