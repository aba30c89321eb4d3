// How services read in the CLI: their state lines, and following `trail up`.
import type { ServiceInfo } from '../contract/ops.js';
import { DaemonClient } from '../client/daemon-client.js';
import { duration, out, paint } from './output.js';
import { escapeControls } from './shown.js';

export function stateText(s: ServiceInfo, now = Date.now()): string {
  switch (s.state) {
    case 'ready':
      return paint.green(s.readyAt && s.startedAt ? `ready in ${duration(s.readyAt - s.startedAt)}` : 'ready');
    case 'running':
      return 'starting, not ready yet';
    case 'waiting':
      return 'waiting for its dependencies';
    case 'restarting':
      return paint.yellow(`restarting (restart ${s.restarts})`);
    case 'gave up':
    case 'failed':
      return paint.red(`${s.state}: ${escapeControls(s.reason ?? '')}`);
    case 'exited':
      return s.lastExit?.code === 0 ? 'exited (code 0)' : paint.red(`exited: ${escapeControls(s.reason ?? `code ${s.lastExit?.code}`)}`);
    default:
      return s.startedAt && s.state !== 'stopped' ? `${s.state} for ${duration(now - s.startedAt)}` : s.state;
  }
}

const SERVICE_EVENTS = ['service.started', 'service.ready', 'service.exited', 'service.restarting', 'service.gave_up', 'service.failed', 'service.stopped'] as const;

const settled = (s: ServiceInfo) => ['ready', 'gave up', 'failed', 'exited', 'stopped'].includes(s.state);

/**
 * Prints each service's progress until every one is ready, has failed or gave
 * up; true if all are ready. Follows the session's service events on one
 * connection (a look at the list after each), not a poll.
 */
export async function followUp(session: string, names: string[], timeoutMs: number): Promise<boolean> {
  const width = Math.max(...names.map((n) => n.length), 4);
  const last = new Map<string, string>();
  const end = Date.now() + timeoutMs;
  const c = await DaemonClient.connect();
  let wake: (() => void) | null = null;
  let changed = false;
  c.onEvent = () => {
    changed = true;
    wake?.();
  };
  c.send({ t: 'watch', kinds: [...SERVICE_EVENTS], session });
  try {
    for (;;) {
      changed = false;
      const { services } = await c.call('svc.list', { session, ports: false });
      const mine = services.filter((s) => names.includes(s.name));
      for (const s of mine) {
        const text = stateText(s);
        if (last.get(s.name) === text) continue;
        last.set(s.name, text);
        out(`  ${s.name.padEnd(width)}  ${text}`);
        if (s.state === 'gave up' || s.state === 'failed' || (s.state === 'exited' && s.lastExit?.code !== 0)) {
          const lines = await c.call('svc.logs', { session, name: s.name, limit: 5 });
          for (const l of lines) out(paint.dim(`  ${' '.repeat(width)}  │ ${escapeControls(l.line)}`));
        }
      }
      if (mine.every(settled)) return mine.every((s) => s.state === 'ready' || (s.state === 'exited' && s.lastExit?.code === 0));
      if (Date.now() > end) {
        out(`  (still waiting after ${Math.round(timeoutMs / 1000)} s; trail svc ls shows where they are)`);
        return false;
      }
      // The next event, or a look anyway after a second (a state with no event of its own: "starting").
      if (!changed) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => ((wake = r), (timer = setTimeout(r, 1000))));
        clearTimeout(timer);
      }
      wake = null;
    }
  } finally {
    c.close();
  }
}
