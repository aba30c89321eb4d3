import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { ago, json, out } from './output.js';
import { escapeControls } from './shown.js';
import { identity } from './identity.js';
import type { ApprovalView } from '../contract/ops.js';

function line(a: ApprovalView): string {
  const state = a.state === 'pending' ? `waiting, asked ${ago(a.createdAt)}` : `${a.state}${a.decidedBy ? ` by ${a.decidedBy}` : ''}`;
  return `${a.id}  ${a.session}  ${escapeControls(a.actor)}: ${escapeControls(a.command)}  (${state})\n     why: ${escapeControls(a.reasons.join('; '))}`;
}

function decide(approve: boolean): CliCommand['run'] {
  return async ({ values, positionals }) => {
    if (!positionals.length) {
      const waiting = await call('approval.list', {});
      if (values.json) return json(waiting), 0;
      if (!waiting.length) {
        out('no command waits for your approval');
        return 0;
      }
      for (const a of waiting) out(line(a));
      out(`trail approve ID runs it; trail deny ID refuses it`);
      return 0;
    }
    for (const p of positionals) {
      if (!/^\d+$/.test(p)) throw new UsageError(`${approve ? 'approve' : 'deny'} takes approval ids (trail approve lists them), not ${JSON.stringify(p)}`);
      const a = await call('approval.decide', { id: Number(p), approve, actor: identity() });
      if (values.json) json(a);
      else out(approve ? `approved ${a.id}: ${escapeControls(a.command)}${a.handle !== null ? ` (running as command ${a.handle})` : ''}` : `denied ${a.id}: ${escapeControls(a.command)}`);
    }
    return 0;
  };
}

export const approveCommand: CliCommand = {
  name: 'approve',
  summary: 'run a command an agent asked to run (a confirm rule sent it to you); with no id, list those waiting',
  usage: 'trail approve [ID…] [--json]',
  options: { json: { type: 'boolean' } },
  more: 'Approvals expire after 10 minutes. The rules: trail policy.',
  run: decide(true),
};

export const denyCommand: CliCommand = {
  name: 'deny',
  summary: 'refuse a command an agent asked to run; with no id, list those waiting',
  usage: 'trail deny [ID…] [--json]',
  options: { json: { type: 'boolean' } },
  run: decide(false),
};
