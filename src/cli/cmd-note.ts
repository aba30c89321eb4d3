import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { json, out, paint } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { noteLine } from './briefing-view.js';
import { identity } from './identity.js';

const idArg = (s: string | undefined, verb: string): number => {
  if (!s || !/^\d+$/.test(s)) throw new UsageError(`note ${verb} needs a note id (trail notes lists them)`);
  return Number(s);
};

export const noteCommand: CliCommand = {
  name: 'note',
  summary: 'leave a note in the session, on a command, a service or a file line; note done ID, note rm ID',
  usage: 'trail note "TEXT" [--on COMMAND_ID | --svc NAME | --file PATH[:LINE]] [--pin] | trail note done ID | trail note rm ID',
  options: { on: { type: 'string' }, svc: { type: 'string' }, file: { type: 'string' }, pin: { type: 'boolean' }, json: { type: 'boolean' }, session: { type: 'string', short: 's' } },
  optionHelp: {
    on: { arg: 'ID', text: 'the note is about this command (trail log shows ids)' },
    svc: { arg: 'NAME', text: 'the note is about this service' },
    file: { arg: 'PATH[:LINE]', text: 'the note is about this file (line): shown as may be stale once the line changes' },
    pin: { text: 'keep it at the top of the briefing' },
    session: SESSION_HELP,
  },
  more: 'Notes are in the briefing (trail brief), in trail log, and found by trail search.',
  run: async ({ values, positionals, rest }) => {
    // After --, everything is the note's text (trail note -- done).
    if (!rest.length && (positionals[0] === 'done' || positionals[0] === 'rm')) {
      const id = idArg(positionals[1], positionals[0]);
      if (positionals[0] === 'rm') {
        await call('note.rm', { id });
        out(`removed note ${id}`);
      } else {
        const n = await call('note.done', { id });
        out(`marked done: ${noteLine({ ...n, doneAt: null })}`);
      }
      return 0;
    }
    const text = [...positionals, ...rest].join(' ').trim();
    if (!text) throw new UsageError('note needs the text: trail note "the flaky test is test_login; retry passes"');
    const targets = [values.on, values.svc, values.file].filter((x) => x !== undefined);
    if (targets.length > 1) throw new UsageError('a note is on one thing: --on, --svc or --file');
    let file: string | undefined;
    let line: number | undefined;
    if (typeof values.file === 'string') {
      const m = /^(.*):(\d+)$/.exec(values.file);
      [file, line] = m ? [m[1], Number(m[2])] : [values.file, undefined];
      if (line !== undefined && line < 1) throw new UsageError(`--file ${values.file}: lines are numbered from 1`);
    }
    if (values.on !== undefined && !/^\d+$/.test(values.on as string)) throw new UsageError(`--on takes a command id (a number), not ${JSON.stringify(values.on)}`);
    const session = await sessionArg(values.session as string | undefined, 'note');
    const n = await call('note.add', {
      session,
      text,
      actor: identity(),
      commandId: values.on !== undefined ? Number(values.on) : undefined,
      service: values.svc as string | undefined,
      file,
      line,
      pinned: Boolean(values.pin),
      cwd: process.cwd(),
    });
    if (values.json) return json(n), 0;
    out(`noted in ${session}: ${noteLine(n)}`);
    return 0;
  },
};

export const notesCommand: CliCommand = {
  name: 'notes',
  summary: "the session's open notes (--all: done ones too, -a everywhere)",
  usage: 'trail notes [--all] [--everywhere] [--session S] [--json]',
  options: { all: { type: 'boolean' }, everywhere: { type: 'boolean', short: 'a' }, json: { type: 'boolean' }, session: { type: 'string', short: 's' } },
  optionHelp: {
    all: { text: 'done notes too' },
    everywhere: { text: 'notes of every session' },
    session: SESSION_HELP,
  },
  run: async ({ values }) => {
    const session = values.everywhere ? undefined : await sessionArg(values.session as string | undefined, 'notes');
    const ns = await call('note.list', { session, all: Boolean(values.all) });
    if (values.json) return json(ns), 0;
    if (!ns.length) out(paint.dim(`no ${values.all ? '' : 'open '}notes${session ? ` in ${session}` : ''}: trail note "TEXT" leaves one`));
    for (const n of ns) out(`${session ? '' : `${n.session}: `}${noteLine(n)}`);
    return 0;
  },
};
