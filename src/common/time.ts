// Parses the times people type in filters: "2h", "3d", "90m", "yesterday",
// "today", or an ISO date/time. Returns epoch milliseconds.
const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export function parseWhen(text: string, now: number): number | null {
  const t = text.trim().toLowerCase();
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)(?:\s*ago)?$/.exec(t);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]];
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  if (t === 'today') return midnight.getTime();
  if (t === 'yesterday') return midnight.getTime() - 86400e3;
  if (t === 'now') return now;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(text.trim());
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}
