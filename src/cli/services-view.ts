// How services read in the CLI: their state lines, and following `trail up`.
import type { ServiceInfo } from '../contract/ops.js';
import { SERVICE_EVENT_KINDS } from '../common/service-events.js';
import { DaemonClient } from '../client/daemon-client.js';
import { duration, out, paint } from './output.js';
import { escapeControls } from './shown.js';

export function stateText(s: ServiceInfo, now = Date.now()): string {
  switch (s.state) {
    case 'ready':
      if (s.probe === null) return paint.green(s.startedAt ? `up for ${duration(now - s.startedAt)} (no ready probe)` : 'up (no ready probe)');
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
      return s.lastExit?.code === 0 ? 'exited (code 0)' : paint.red(escapeControls(s.reason ?? `exited with code ${s.lastExit?.code}`));
    default:
      return s.startedAt && s.state !== 'stopped' ? `${s.state} for ${duration(now - s.startedAt)}` : s.state;
  }
}

/**
 * A service with no ready probe counts as ready once started; `trail up`
 * still watches it this long, so that a command that fails at once is
 * reported as failing, not as ready.
 */
const STAY_UP_MS = 1000;

/** How long until this service's state is final for `trail up` (0: now; null: not before an event). */
function settlesIn(s: ServiceInfo, now: number): number | null {
  if (s.state === 'ready' && s.probe === null) return Math.max(0, (s.startedAt ?? now) + STAY_UP_MS - now);
  return ['ready', 'gave up', 'failed', 'exited', 'stopped'].includes(s.state) ? 0 : null;
}

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
  c.send({ t: 'watch', kinds: [...SERVICE_EVENT_KINDS], session });
  try {
    for (;;) {
      changed = false;
      const { services } = await c.call('svc.list', { session, ports: false });
      const mine = services.filter((s) => names.includes(s.name));
      const now = Date.now();
      const waits = mine.map((s) => settlesIn(s, now));
      for (const s of mine) {
        // A service without a probe is shown once it has stayed up (its running time would change every look).
        if (s.state === 'ready' && s.probe === null && settlesIn(s, now)! > 0) continue;
        // Its last lines are shown below it (boxed): not in its reason as well.
        const boxed = (s.state === 'gave up' || (s.state === 'exited' && s.lastExit?.code !== 0)) && s.startedAt !== null;
        const text = stateText(boxed ? { ...s, reason: s.reason?.replace(/; last output: [\s\S]*$/, '') ?? null } : s);
        const key = `${s.state}:${s.restarts}:${s.reason}`;
        if (last.get(s.name) === key) continue;
        last.set(s.name, key);
        out(`  ${s.name.padEnd(width)}  ${text}`);
        // Its last lines, from its last run only (a start that failed before running has none).
        if (boxed) {
          const lines = (await c.call('svc.logs', { session, name: s.name, limit: 5 })).filter((l) => l.at >= s.startedAt! - 1000);
          for (const l of lines) out(paint.dim(`  ${' '.repeat(width)}  │ ${escapeControls(l.line)}`));
        }
      }
      if (waits.every((w) => w === 0)) return mine.every((s) => s.state === 'ready' || (s.state === 'exited' && s.lastExit?.code === 0));
      if (Date.now() > end) {
        out(`  (still waiting after ${Math.round(timeoutMs / 1000)} s; trail svc ls shows where they are)`);
        return false;
      }
      // The next event, or a look anyway after a second (a state with no event of its own: "starting"), or when one has stayed up long enough.
      if (!changed) {
        let timer: NodeJS.Timeout | undefined;
        const soonest = Math.min(1000, ...waits.filter((w): w is number => w !== null && w > 0));
        await new Promise<void>((r) => ((wake = r), (timer = setTimeout(r, soonest))));
        clearTimeout(timer);
      }
      wake = null;
    }
  } finally {
    c.close();
  }
}
