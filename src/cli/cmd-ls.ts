import type { CliCommand } from './command.js';
import { shown } from './shown.js';
import { call } from './connect.js';
import { ClientError } from '../client/daemon-client.js';
import { rememberedSessions } from '../api/trail-reader.js';
import { trailPaths } from '../platform/paths.js';
import { ago, json, out, table } from './output.js';
import type { SessionView } from '../api/views.js';

export const lsCommand: CliCommand = {
  name: 'ls',
  aliases: ['list'],
  summary: 'list sessions: name, dir, terminals, clients, created, last active',
  usage: 'trail ls [--json]',
  options: { json: { type: 'boolean' } },
  run: async ({ values }) => {
    // Listing starts nothing: with no daemon, the sessions the store keeps
    // (a daemon brings them back, with a fresh shell on attach).
    let list: SessionView[];
    let running = true;
    try {
      list = await call('session.list', {}, { start: false });
    } catch (e) {
      if (!(e instanceof ClientError) || e.code !== 'not_running') throw e;
      running = false;
      list = await rememberedSessions(trailPaths().db);
    }
    if (values.json) {
      json(list);
      return 0;
    }
    if (!running) {
      out(
        list.length
          ? `no trail daemon is running; these sessions come back (with a fresh shell) when you attach:`
          : 'no sessions, and no trail daemon is running (trail, or trail new NAME, starts one)',
      );
      if (!list.length) return 0;
    }
    if (!list.length) {
      out('no sessions (trail new NAME, or just trail)');
      return 0;
    }
    out(
      table([
        ['NAME', 'DIR', 'TERMINALS', 'CLIENTS', 'CREATED', 'ACTIVE'],
        ...shown(list).map((s) => [s.name, s.dir, String(s.terminals), String(s.clients), ago(s.createdAt), ago(s.lastActiveAt)]),
      ]),
    );
    return 0;
  },
};
