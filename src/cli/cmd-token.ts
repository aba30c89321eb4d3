import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { ago, json, out } from './output.js';
import { identity } from './identity.js';

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: "tokens for AI agents that connect over HTTP (the daemon's /mcp): create NAME, ls, revoke NAME",
  usage: 'trail token create NAME [--level read|notes|run] | trail token ls | trail token revoke NAME',
  options: { level: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { level: { arg: 'L', text: "the most the agent may do with it (read, the default; notes; run): the session's policy still applies" } },
  more: 'The token is shown once, when made; trail keeps only its hash. The agent is named after the token in the trail.',
  run: async ({ values, positionals }) => {
    const [verb, name, ...extra] = positionals;
    if (extra.length) throw new UsageError(`token ${verb} takes one name`);
    if (verb === 'create') {
      if (!name) throw new UsageError('token create needs a name: trail token create claude');
      if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new UsageError(`a token's name is letters, digits, . _ and - (it names the agent in the trail), not ${JSON.stringify(name)}`);
      const level = (values.level ?? 'read') as string;
      if (!['read', 'notes', 'run'].includes(level)) throw new UsageError(`--level is read, notes or run, not ${JSON.stringify(level)}`);
      const r = await call('token.create', { name, level: level as 'read' | 'notes' | 'run', actor: identity() });
      if (values.json) return json(r), 0;
      out(r.token);
      process.stderr.write(`trail: token ${r.name} (${r.level}): shown this once; give it to the agent as "Authorization: Bearer …"\n`);
      return 0;
    }
    if (verb === 'ls' || verb === undefined) {
      const ts = await call('token.list', {});
      if (values.json) return json(ts), 0;
      if (!ts.length) out('no tokens (trail token create NAME makes one)');
      for (const t of ts) out(`${t.name}  ${t.level}  made ${ago(t.createdAt)}  ${t.lastUsedAt ? `used ${ago(t.lastUsedAt)}` : 'never used'}`);
      return 0;
    }
    if (verb === 'revoke') {
      if (!name) throw new UsageError('token revoke needs the name (trail token ls)');
      await call('token.revoke', { name, actor: identity() });
      out(`revoked ${name}`);
      return 0;
    }
    throw new UsageError(`token takes create, ls or revoke, not ${JSON.stringify(verb)}`);
  },
};
