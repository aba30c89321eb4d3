// Chapters: `trail reset` starts a new one, so that old state does not become
// confusion. The briefing and the context look at the current chapter only;
// the trail keeps everything before it (log shows where chapters begin,
// search still finds it).
import { bind } from './define.js';
import type { ApiContext } from './context.js';

/** When the session's current chapter began, and its title (null: the session has one chapter). */
export function chapterStart(ctx: ApiContext, sessionId: string): { at: number; title: string | null } | null {
  const e = ctx.manager.storedEvents(['chapter.started'], [sessionId]).pop();
  if (!e) return null;
  return { at: e.at, title: (JSON.parse(e.data ?? '{}') as { title?: string | null }).title ?? null };
}

export const chapterOps = [
  bind('session.reset', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    const at = ctx.now();
    ctx.manager.events.emit({ kind: 'chapter.started', sessionId: s.id, terminalId: null, at, actor: i.actor, data: { title: i.title ?? null } });
    return { session: s.name, at, title: i.title ?? null };
  }),
];
