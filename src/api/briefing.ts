// The briefing: what happened in a session since an identity's last visit.
// No guessing anywhere: every item comes from the trail (commands, events),
// the store (notes, service output) or a live probe (git, the terminals), so
// nothing is said that did not happen. Most important first: what broke, what
// finished, git, others, where you were, notes.
import { CONTROL_TOOLS } from './trail.js';
import { bind } from './define.js';
import { TrailError } from '../common/errors.js';
import { timeArg } from './time-arg.js';
import { redact } from '../common/redact.js';
import { stripAnsi } from '../common/ansi.js';
import { gitHead, gitRoot, gitSince } from '../daemon/git.js';
import { noteView } from './notes.js';
import { chapterStart } from './chapters.js';
import type { ApiContext } from './context.js';
import type { Session } from '../daemon/sessions.js';
import type { Briefing } from '../contract/ops.js';
import type { CommandRow } from '../store/commands.js';

/** A command that ran at least this long and still runs is worth a line. */
const LONG_MS = 60_000;
/** What a short briefing shows of each list (--full shows all). */
const SHORT = { services: 5, failed: 5, finished: 5, running: 3, others: 3, where: 4, last: 3, notes: 5, subjects: 3, changed: 5 };
const WHY = /\b(error|errors|fail|fails|failed|failing|failure|fatal|exception|panic|traceback|cannot|refused|denied|not found|assert\w*|expected)\b/i;

/** Exit codes that are not failures to report: Ctrl-C (the person stopped it). */
const isFailure = (c: CommandRow) => c.exit_code !== null && c.exit_code !== 0 && c.exit_code !== 130;

/** The line of the output that says why: the first that reads like an error, else the last that is not empty. */
export function whyLine(output: string): string | null {
  const lines = stripAnsi(output)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return null;
  const line = lines.find((l) => WHY.test(l)) ?? lines[lines.length - 1];
  return line.length > 160 ? line.slice(0, 157) + '…' : line;
}

const oneLine = (s: string) => {
  const l = s.split('\n')[0];
  return l.length > 120 ? l.slice(0, 117) + '…' : l + (s.includes('\n') ? ' …' : '');
};

/** Tools whose call changes something (reading tools do not count as an agent acting). */
const ACTING_TOOLS = new Set([...CONTROL_TOOLS, 'run_command', 'add_note', 'resolve_note']);

/** Whether an agent ran, typed, controlled a service, left a note, was refused, or asked for approval in a session since `at`. */
function agentActedSince(ctx: ApiContext, sessionId: string, at: number): boolean {
  return ctx.manager.storedEvents(['agent.action', 'approval.requested'], [sessionId], at).some((e) => {
    if (e.kind !== 'agent.action') return true;
    const d = JSON.parse(e.data ?? '{}') as { tool?: string; outcome?: string };
    return d.outcome === 'refused' || (d.outcome === 'ok' && ACTING_TOOLS.has(d.tool ?? ''));
  });
}

export async function computeBriefing(ctx: ApiContext, s: Session, identity: string, since: number | null, now: number, full: boolean): Promise<Briefing> {
  // Old state must not become confusion: nothing before the current chapter.
  const chapter = chapterStart(ctx, s.id);
  const from = Math.max(since ?? s.createdAt, chapter?.at ?? 0);
  let more = 0;
  const cap = <T>(xs: T[], n: number): T[] => {
    if (full || xs.length <= n) return xs;
    more += xs.length - n;
    return xs.slice(0, n);
  };
  const live = s.terminals.filter((t) => !t.exited);
  const indexOf = new Map(s.terminals.map((t) => [t.id, t.index]));

  // Commands: failures since, and what was running when you left.
  const ended = ctx.commands.endedSince(s.id, from, 5000);
  const wasRunning = ended.filter((c) => c.started_at < from);
  const failedSince = ended.filter((c) => c.started_at >= from && isFailure(c));
  // A failure the same line has since put right (run again in the same directory, and succeeded) is told as such, after those still open.
  const passed = new Map<string, (typeof ended)[number]>();
  for (const c of ended) if (c.exit_code === 0) passed.set(`${c.cwd}\0${c.command.trim()}`, c);
  const passedLater = (c: (typeof ended)[number]) => {
    const p = passed.get(`${c.cwd}\0${c.command.trim()}`);
    return p && p.started_at > c.started_at ? { id: p.id, endedAt: p.ended_at!, actor: p.actor } : null;
  };
  // Newest first; several failures put right by the same run are told once (the newest), after those still open.
  const fixedBy = new Set<number>();
  const failures = [...failedSince].reverse().map((c) => ({ c, fixed: passedLater(c) }));
  const told = failures.filter(({ fixed }) => {
    if (!fixed) return true;
    if (fixedBy.has(fixed.id)) return false;
    fixedBy.add(fixed.id);
    return true;
  });
  const failed = cap(
    [...told.filter((f) => !f.fixed), ...told.filter((f) => f.fixed)].map(({ c, fixed }) => ({
      id: c.id,
      command: oneLine(c.command),
      exitCode: c.exit_code!,
      excerpt: whyLine(c.output),
      endedAt: c.ended_at!,
      terminal: c.terminal_id ? (indexOf.get(c.terminal_id) ?? null) : null,
      actor: c.actor,
      passedLater: fixed,
    })),
    SHORT.failed,
  );
  const finished = cap(
    wasRunning.map((c) => ({
      id: c.id,
      command: oneLine(c.command),
      exitCode: c.exit_code,
      durationMs: c.duration_ms,
      endedAt: c.ended_at!,
      excerpt: isFailure(c) ? whyLine(c.output) : null,
    })),
    SHORT.finished,
  );

  // Commands still running now that were running when you left, or have run long, with the last line they show.
  const running: Briefing['running'] = [];
  for (const t of live) {
    const r = t.runningCommand;
    if (!r || (r.startedAt >= from && now - r.startedAt < LONG_MS)) continue;
    const screen = await t.mirror.screenText().catch(() => '');
    const last = screen
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop();
    running.push({ id: r.id, command: oneLine(r.command), startedAt: r.startedAt, terminal: t.index, lastLine: last ? redact(last.slice(0, 160), ctx.secrets) : null });
  }

  // Services: what crashed, restarted, gave up or could not start since.
  const svc = ctx.services.of(s);
  const states = new Map(svc.list(false).map((x) => [x.name, x]));
  const bySvc = new Map<string, Briefing['services'][number]>();
  for (const e of ctx.manager.storedEvents(['service.exited', 'service.restarting', 'service.gave_up', 'service.failed'], [s.id], from)) {
    const d = JSON.parse(e.data ?? '{}') as { service?: string; code?: number | null; signal?: string | null; reason?: string };
    if (!d.service) continue;
    const cur = states.get(d.service);
    const item = bySvc.get(d.service) ?? {
      service: d.service,
      crashes: 0,
      restarts: 0,
      gaveUp: false,
      failed: null,
      // Without a ready probe, "ready" only means started.
      state: cur ? (cur.state === 'ready' && cur.probe === null ? 'running' : cur.state) : 'unknown',
      reason: cur?.reason ?? null,
      lastLine: null,
      at: e.at,
    };
    if (e.kind === 'service.exited' && (d.code !== 0 || d.signal)) item.crashes++;
    if (e.kind === 'service.restarting') item.restarts++;
    if (e.kind === 'service.gave_up') item.gaveUp = true;
    if (e.kind === 'service.failed') item.failed = d.reason ?? 'could not start';
    item.at = e.at;
    bySvc.set(d.service, item);
  }
  const broke = [...bySvc.values()].filter((x) => x.crashes || x.gaveUp || x.failed);
  for (const b of broke) b.lastLine = ctx.services.lines(s.id, b.service, { limit: 1 })[0]?.line ?? null;
  const services = cap(
    broke.sort((a, b) => Number(b.gaveUp) - Number(a.gaveUp) || b.at - a.at),
    SHORT.services,
  );

  // Git: the branch then and now, commits since, files changed since and not committed.
  let git: Briefing['git'] = null;
  const root = gitRoot(s.dir);
  if (root) {
    const [head, since_] = [gitHead(s.dir), await gitSince(root, from)];
    const then = since !== null ? (ctx.commands.lastOfSessionBefore(s.id, from)?.branch ?? null) : null;
    const changed = since_?.changed ?? [];
    git = {
      root,
      branchThen: then,
      branchNow: head?.branch ?? null,
      commits: since_?.commits.length ?? 0,
      subjects: (since_?.commits ?? []).slice(0, full ? 100 : SHORT.subjects).map((c) => redact(oneLine(c.subject), ctx.secrets)),
      changed: changed.slice(0, full ? 1000 : SHORT.changed),
      changedCount: changed.length,
    };
  }

  // Others: people and agents other than this identity, while away.
  const others = new Map<string, Briefing['others'][number]>();
  const other = (actor: string) => others.get(actor) ?? (others.set(actor, { actor, commands: 0, failed: 0, notes: 0, attached: 0, acted: 0, refused: 0 }), others.get(actor)!);
  for (const c of ended) if (c.started_at >= from && c.actor !== 'user' && c.actor !== identity) (other(c.actor).commands++, isFailure(c) && other(c.actor).failed++);
  for (const e of ctx.manager.storedEvents(['client.attached', 'note.added', 'agent.action'], [s.id], from)) {
    const actor = e.actor ?? null;
    if (!actor || actor === identity) continue;
    if (e.kind === 'client.attached') other(actor).attached++;
    else if (e.kind === 'note.added') other(actor).notes++;
    else {
      // Agents' keys and service control count as what they did; a call the boundaries refused, as refused.
      const d = JSON.parse(e.data ?? '{}') as { tool?: string; outcome?: string; detail?: string };
      if (d.outcome === 'refused') other(actor).refused++;
      else if (d.outcome === 'ok' && CONTROL_TOOLS.has(d.tool ?? '')) other(actor).acted++;
    }
  }
  const waiting = ctx.policy.pending(now, s.id).map((a) => ({ id: a.id, actor: a.actor, command: a.command }));

  // Where you were: per terminal, its place and the last commands before you left.
  const before = since ?? now;
  const where = cap(
    live.map((t) => {
      const last = ctx.commands.lastBefore(t.id, before, SHORT.last).filter((c) => !chapter || c.started_at >= chapter.at);
      const newest = last[last.length - 1];
      return { terminal: t.index, cwd: newest?.cwd ?? t.cwd, branch: newest?.branch ?? null, last: last.map((c) => ({ id: c.id, command: oneLine(c.command), exitCode: c.exit_code, actor: c.actor })) };
    }),
    SHORT.where,
  );

  // Notes: pinned first, then the ones that may be stale, then the rest.
  const names = ctx.sessionNames();
  const notes = cap(
    ctx.notes
      .list([s.id])
      .map((n) => noteView(ctx, n, names))
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || Number(b.stale) - Number(a.stale) || a.id - b.id),
    SHORT.notes,
  );

  const gitMoved = git !== null && (git.commits > 0 || git.changedCount > 0 || (git.branchThen !== null && git.branchThen !== git.branchNow));
  const quiet = !services.length && !failed.length && !finished.length && !running.length && !gitMoved && !others.size && !waiting.length;
  return {
    session: s.name,
    dir: s.dir,
    identity,
    since,
    now,
    chapter: chapter?.title ?? null,
    quiet,
    services,
    failed,
    finished,
    running,
    git,
    others: cap([...others.values()], SHORT.others),
    waiting,
    where,
    notes,
    more,
  };
}

export const briefOps = [
  bind('session.brief', async (ctx, i) => {
    const s = ctx.manager.get(i.session);
    const now = ctx.now();
    const visit = ctx.notes.visit(s.id, i.identity);
    let since = visit;
    if (i.since !== undefined) {
      since = timeArg('since', i.since, now);
      if (since > now) throw new TrailError('invalid', `--since ${JSON.stringify(i.since)} is in the future`);
    }
    // On attaching: only for someone who was here before, after being away long enough, or sooner when an agent
    // acted meanwhile (what it did is news; watching its terminal would otherwise count as having seen it).
    if (i.onAttach && (!ctx.settings.brief.on || visit === null || (now - visit < ctx.settings.brief.afterMs && !agentActedSince(ctx, s.id, visit))))
      return { show: false, briefing: null };
    const briefing = await computeBriefing(ctx, s, i.identity, since, now, i.full);
    // A visit ends when its client detaches; for an identity that never attaches (an agent), reading is the visit.
    const mark = i.mark ?? ctx.manager.storedEvents(['client.attached'], [s.id]).every((e) => e.actor !== i.identity);
    if (mark && !i.onAttach) ctx.notes.endVisit(s.id, i.identity, now);
    return { show: true, briefing };
  }),
];
