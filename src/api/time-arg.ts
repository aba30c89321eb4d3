// A time a caller typed (--since, --until): parsed, or the one clear error.
import { parseWhen } from '../common/time.js';
import { TrailError } from '../common/errors.js';

export function timeArg(flag: string, text: string, now: number): number;
export function timeArg(flag: string, text: string | undefined, now: number): number | undefined;
export function timeArg(flag: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const t = parseWhen(text, now);
  if (t === null) throw new TrailError('invalid', `--${flag} ${JSON.stringify(text)}: use e.g. 2h, 3d, yesterday, today or 2026-11-20`);
  return t;
}
