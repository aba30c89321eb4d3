// `trail context`: what an assistant needs to continue the work, under a
// budget of tokens. The briefing's facts first, then the open notes, then the
// recent commands (failures first) with excerpts of their output, then the
// services with their last lines. Items go in whole, most important first,
// while they fit; what did not fit is counted at the end. Tokens are
// estimated as one per 4 characters, rounded up (the rule the tests check):
// near what tokenizers give for English and code, and never under it by much.
import { bind } from './define.js';
import { timeArg } from './time-arg.js';
import { stripAnsi } from '../common/ansi.js';
import { computeBriefing, whyLine } from './briefing.js';
import { chapterStart } from './chapters.js';
import { gitSince } from '../daemon/git.js';
import type { ApiContext } from './context.js';
import type { Briefing } from '../contract/ops.js';

export const tokens = (s: string) => Math.ceil(s.length / 4);

type Item = { kind: 'fact' | 'note' | 'command' | 'service'; md: string; json: unknown };

const excerpt = (output: string, lines: number) => {
  const ls = stripAnsi(output).split('\n');
  const tail = ls.slice(-lines).join('\n').trim();
  return (ls.length > lines ? `… (${ls.length - lines} lines before)\n` : '') + tail;
};

function facts(b: Briefing & { git: (Briefing['git'] & { uncommitted?: string[] }) | null }): Item[] {
  const out: Item[] = [];
  const add = (md: string, json: unknown) => out.push({ kind: 'fact', md: `- ${md}`, json });
  for (const s of b.services)
    add(`service ${s.service}: ${[s.gaveUp && 'gave up', s.failed && `could not start (${s.failed})`, s.crashes && `crashed ${s.crashes}×`, s.restarts && `restarted ${s.restarts}×`].filter(Boolean).join(', ')}; now ${s.state}${s.lastLine ? `; last line: ${s.lastLine}` : ''}`, { service: s });
  for (const c of b.failed)
    add(
      c.passedLater
        ? `failed, then passed again: \`${c.command}\` exit ${c.exitCode} (command ${c.id}), exit 0 in command ${c.passedLater.id}`
        : `failed: \`${c.command}\` exit ${c.exitCode}${c.excerpt ? `: ${c.excerpt}` : ''} (command ${c.id})`,
      { failed: c },
    );
  for (const c of b.finished) add(`finished while away: \`${c.command}\` exit ${c.exitCode ?? '?'}${c.excerpt ? `: ${c.excerpt}` : ''} (command ${c.id})`, { finished: c });
  for (const r of b.running) add(`still running in terminal ${r.terminal}: \`${r.command}\`${r.lastLine ? `; shows: ${r.lastLine}` : ''}`, { running: r });
  if (b.git) {
    const g = b.git;
    add(
      `git: on ${g.branchNow ?? '(detached)'}${g.branchThen && g.branchThen !== g.branchNow ? ` (was ${g.branchThen})` : ''}; ${g.commits} commit(s) since${g.subjects.length ? ` (${g.subjects.join('; ')})` : ''}; changed since and not committed: ${g.changed.join(', ') || 'none'}${g.uncommitted !== undefined ? `; not committed at all: ${g.uncommitted.length ? g.uncommitted.join(', ') : 'nothing (the tree is clean)'}` : ''}`,
      { git: g },
    );
  }
  for (const o of b.others) {
    const did = [o.commands && `${o.commands} command(s), ${o.failed} failed`, o.notes && `${o.notes} note(s)`, o.acted && `${o.acted} key or service action(s)`, o.refused && `refused ${o.refused}× by the policy`, o.attached && `attached ${o.attached}×`].filter(Boolean);
    add(`${o.actor}: ${did.join(', ') || 'looked'}`, { other: o });
  }
  for (const w of b.where) add(`terminal ${w.terminal} in ${w.cwd ?? '?'}${w.branch ? ` (${w.branch})` : ''}; last: ${w.last.map((c) => `\`${c.command}\``).join(', ') || 'nothing'}`, { where: w });
  return out;
}

export async function contextPack(ctx: ApiContext, i: { session: string; since?: string; budget: number; identity: string; format: 'md' | 'json' }) {
  const s = ctx.manager.get(i.session);
  const now = ctx.now();
  let since = ctx.notes.visit(s.id, i.identity);
  if (i.since !== undefined) since = timeArg('since', i.since, now);
  const chapter = chapterStart(ctx, s.id);
  const b: Briefing & { git: (Briefing['git'] & { uncommitted?: string[] }) | null } = await computeBriefing(ctx, s, i.identity, since, now, true);
  // An assistant needs the whole state of the tree, not only what changed since a visit.
  if (b.git) {
    const all = await gitSince(b.git.root, 0);
    if (all) b.git = { ...b.git, uncommitted: all.changed.slice(0, 50) };
  }
  const items: Item[] = facts(b);
  for (const n of b.notes)
    items.push({
      kind: 'note',
      md: `- note ${n.id}${n.pinned ? ' (pinned)' : ''}: ${n.text}${n.file ? ` [${n.file}${n.line ? `:${n.line}` : ''}${n.stale ? `, may be stale: the line now says "${n.lineNow ?? '(gone)'}"` : ''}]` : ''}${n.service ? ` [service ${n.service}]` : ''}${n.commandId ? ` [command ${n.commandId}]` : ''}`,
      json: n,
    });
  // Recent commands of the chapter, failures first, newest first within each; trail's own (trail log, trail notes) are not the work.
  const recent = ctx.commands.recentWithOutput(s.id, chapter?.at ?? 0, 200).filter((c) => !/^\s*(trail|npx trail|\S*\/bin\/trail)(\s|$)/.test(c.command));
  const failures = recent.filter((c) => c.exit_code !== null && c.exit_code !== 0);
  const rest = recent.filter((c) => !(c.exit_code !== null && c.exit_code !== 0));
  for (const c of [...failures, ...rest]) {
    const failed = c.exit_code !== null && c.exit_code !== 0;
    const out = failed ? excerpt(c.output, 12) : excerpt(c.output, 3);
    const why = failed ? whyLine(c.output) : null;
    items.push({
      kind: 'command',
      md: `### command ${c.id}: \`${c.command.split('\n')[0].slice(0, 200)}\`\nexit ${c.exit_code ?? '(none)'} · ${c.cwd ?? '?'}${c.branch ? ` (${c.branch})` : ''}${why ? ` · ${why}` : ''}${out ? `\n\`\`\`\n${out}\n\`\`\`` : ''}`,
      json: { id: c.id, command: c.command, exitCode: c.exit_code, cwd: c.cwd, branch: c.branch, startedAt: c.started_at, durationMs: c.duration_ms, output: out },
    });
  }
  for (const v of ctx.services.of(s).list(false)) {
    const lines = ctx.services.lines(s.id, v.name, { limit: 5 }).map((l) => l.line);
    items.push({
      kind: 'service',
      md: `### service ${v.name}: ${v.state}${v.reason ? ` (${v.reason})` : ''}\n${lines.length ? '```\n' + lines.join('\n') + '\n```' : '(no output)'}`,
      json: { name: v.name, state: v.state, reason: v.reason, restarts: v.restarts, lines },
    });
  }

  const head = `# trail context: session ${s.name} (${s.dir})\n${b.since !== null ? `Since ${new Date(b.since).toISOString()}` : 'The whole chapter'}${chapter?.title ? `, chapter "${chapter.title}"` : ''}; now ${new Date(now).toISOString()}.\n`;
  const sections: Record<Item['kind'], string> = { fact: '## What happened', note: '## Open notes', command: '## Recent commands (failures first)', service: '## Services' };
  const kept: Item[] = [];
  const left = { fact: 0, note: 0, command: 0, service: 0 };
  // The footer that counts what was cut is reserved for.
  const json = i.format === 'json';
  const reserve = json
    ? tokens(JSON.stringify({ session: s.name, dir: s.dir, since: b.since, now, chapter: chapter?.title ?? null, omitted: { fact: 999, note: 999, command: 9999, service: 999 }, items: [] }))
    : tokens('\n_Not shown: 999 facts, 999 notes, 9999 commands (trail log), 999 services (trail svc ls)._\n');
  let used = (json ? 0 : tokens(head)) + reserve;
  const headed = new Set<string>();
  for (const it of items) {
    const cost = json ? tokens(JSON.stringify({ kind: it.kind, value: it.json }) + ',') : tokens('\n' + it.md + '\n') + (headed.has(it.kind) ? 0 : tokens(`\n${sections[it.kind]}\n`));
    if (used + cost > i.budget) {
      left[it.kind]++;
      continue;
    }
    used += cost;
    headed.add(it.kind);
    kept.push(it);
  }
  let md = head;
  let last: string | null = null;
  for (const it of kept) {
    if (it.kind !== last) md += `\n${sections[it.kind]}\n`;
    last = it.kind;
    md += '\n' + it.md + '\n';
  }
  const cut = [left.fact && `${left.fact} facts`, left.note && `${left.note} notes`, left.command && `${left.command} commands (trail log)`, left.service && `${left.service} services (trail svc ls)`].filter(Boolean);
  if (cut.length) md += `\n_Not shown: ${cut.join(', ')}._\n`;
  if (json) {
    const text = JSON.stringify({ session: s.name, dir: s.dir, since: b.since, now, chapter: chapter?.title ?? null, omitted: left, items: kept.map((k) => ({ kind: k.kind, value: k.json })) });
    return { text, tokens: tokens(text), budget: i.budget, omitted: left };
  }
  return { text: md, tokens: tokens(md), budget: i.budget, omitted: left };
}

export const contextOps = [bind('session.context', (ctx, i) => contextPack(ctx, i))];
