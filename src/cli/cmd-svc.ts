import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand } from './command.js';
import { ClientError, DaemonClient } from '../client/daemon-client.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { clock, json, out, paint, shellWord, table, useColor } from './output.js';
import { limitArg } from './filters.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { coloursOnly, escapeControls } from './shown.js';
import { followUp, stateText } from './services-view.js';
import { isDeepStrictEqual } from 'node:util';
import type { Document, YAMLMap } from 'yaml';
import type { OpInput, OpOutput } from '../contract/ops.js';

export const svcCommand: CliCommand = {
  name: 'svc',
  summary: "a session's services: ls, logs, start, stop, restart, attach",
  usage:
    'trail svc ls [--json] | trail svc logs [NAME…] [-f] [-n N] [--since 10m] [--grep TEXT] [--stderr] | trail svc start|stop|restart NAME…|--all | trail svc attach NAME [--read-only] | trail svc reload | trail svc add NAME [--port N] -- COMMAND | trail svc rm NAME',
  options: {
    session: { type: 'string', short: 's' },
    json: { type: 'boolean' },
    follow: { type: 'boolean', short: 'f' },
    limit: { type: 'string', short: 'n' },
    since: { type: 'string' },
    grep: { type: 'string' },
    stderr: { type: 'boolean' },
    all: { type: 'boolean', short: 'a' },
    port: { type: 'string' },
    'read-only': { type: 'boolean', short: 'r' },
    'no-pager': { type: 'boolean' },
  },
  optionHelp: {
    session: SESSION_HELP,
    follow: { text: 'logs: keep printing lines as they come (Ctrl-C stops); with --json, an object a line' },
    limit: { arg: 'N', text: 'logs: the last N lines (default 100; with -f, 0 prints only what comes from now on)' },
    grep: { arg: 'TEXT', text: 'logs: only lines that contain TEXT (any case)' },
    stderr: { text: 'logs: only what the service wrote to stderr' },
    all: { text: 'start, stop, restart: every service' },
    port: { arg: 'N', text: 'add: the service is ready when port N accepts' },
    'read-only': { text: 'attach: watch without typing' },
  },
  run: async ({ values, positionals, rest }) => {
    const [verb, ...names] = positionals;
    const session = await sessionArg(values.session as string | undefined, 'svc');
    switch (verb) {
      case 'ls':
      case 'list':
      case undefined: {
        // A look starts no daemon: one that starts brings back the services that ran when it stopped.
        let l: OpOutput<'svc.list'>;
        try {
          l = await call('svc.list', { session }, { start: false });
        } catch (e) {
          if (!(e instanceof ClientError && e.code === 'not_running')) throw e;
          process.stderr.write('trail: no daemon is running, so no service is: trail up starts them (trail daemon start brings back those that ran when it stopped)\n');
          return 3;
        }
        if (values.json) return json(l), 0;
        if (!l.file) {
          for (const w of l.warnings) process.stderr.write(`trail: ${w}\n`);
          if (l.warnings.length) return 1;
          out(`no services: ${session} has no trail.yaml, process-compose.yaml or Procfile in its directory`);
          return 0;
        }
        out(paint.dim(`services of ${session}, from ${l.file}`));
        for (const w of l.warnings) out(paint.yellow(w));
        // Rows fit the terminal: the state is cut short (the reasons follow the table in full), and the command takes what is left.
        const cut = (t: string, n: number) => (t.length > n ? t.slice(0, Math.max(1, n - 1)) + '…' : t);
        const rows = l.services.map((s) => [s.name, stateText(s), s.pid ? String(s.pid) : '', s.ports.join(','), String(s.restarts)]);
        const plain = (t: string) => t.replace(/\x1b\[[0-9;]*m/g, '');
        const shortState = (t: string) => (plain(t).length > 40 ? cut(plain(t), 40) : t);
        const used = [0, 1, 2, 3, 4].reduce((n, k) => n + Math.max(...rows.map((r) => plain(k === 1 ? shortState(r[k]) : r[k]).length), 8) + 2, 0);
        const room = Math.max(20, (process.stdout.isTTY ? process.stdout.columns : 200) - used - 1);
        out(
          table([
            ['NAME', 'STATE', 'PID', 'PORTS', 'RESTARTS', 'COMMAND'],
            ...l.services.map((s, k) => [...rows[k].map((x, i) => (i === 1 ? shortState(x) : x)), cut(escapeControls(s.command), room)]),
          ]),
        );
        for (const s of l.services) if (s.reason && plain(stateText(s)).length > 40) out(paint.dim(`${s.name}: ${escapeControls(s.reason)}`));
        const ttys = l.services.filter((s) => s.tty).map((s) => s.name);
        if (ttys.length) out(paint.dim(`in a terminal of their own: ${ttys.join(', ')} (trail svc attach NAME)`));
        return 0;
      }
      case 'logs': {
        // No name: every service of the session, merged in time order (as docker compose logs), each line with its service's name.
        const all = names.length ? names : (await call('svc.list', { session, ports: false })).services.map((s) => s.name);
        if (!all.length) throw new UsageError(`${session} has no services (trail svc ls says where they are declared)`);
        const many = all.length > 1;
        const width = Math.max(...all.map((n) => n.length));
        const base = { session, since: values.since as string | undefined, grep: values.grep as string | undefined, stream: values.stderr ? ('err' as const) : undefined };
        // -f -n 0: only what comes from now on (as tail -n 0 -f); the newest line is read only to start after it.
        const fromNow = Boolean(values.follow) && values.limit === '0';
        const limit = fromNow ? 1 : limitArg(values.limit, 100, 10_000);
        type Line = OpOutput<'svc.logs'>[number] & { service: string };
        // One connection for every read, and for -f's events after.
        const c = await DaemonClient.connect();
        const read = async (name: string, more: Partial<OpInput<'svc.logs'>> = {}): Promise<Line[]> =>
          (await c.call('svc.logs', { ...base, name, limit, ...more })).map((l) => ({ ...l, service: name }));
        try {
          const merged = (await Promise.all(all.map((n) => read(n)))).flat().sort((a, b) => a.at - b.at || a.id - b.id).slice(-limit);
          // Followed with --json: a JSON object a line (each line as it comes, as jq and log tools read them).
          const show = (ls: Line[]) => {
            for (const l of ls) {
              if (values.json) out(JSON.stringify(l));
              else out(`${paint.dim(clock(l.at).slice(11))} ${many ? paint.bold(l.service.padEnd(width)) + ' ' : ''}${l.stream === 'err' ? paint.red('err') : paint.dim('out')} ${logText(l)}`);
            }
          };
          if (values.json && !values.follow) return json(merged), 0;
          if (!fromNow) show(merged);
          if (!values.follow) return 0;
          // Where each service's lines were read up to.
          const after = new Map(all.map((n) => [n, 0]));
          for (const n of all) {
            const newest = fromNow ? await read(n, { limit: 1 }) : merged.filter((l) => l.service === n);
            if (newest.length) after.set(n, newest[newest.length - 1].id);
          }
          return await follow(c, session, after, (name, afterId) => read(name, { since: undefined, limit: 10_000, afterId }), show);
        } finally {
          c.close();
        }
      }
      case 'start':
      case 'stop':
      case 'restart': {
        if (!names.length && !values.all) throw new UsageError(`svc ${verb} needs service names, or --all`);
        if (verb !== 'start') {
          const { stopped } = await call('svc.down', { session, names, by: `trail svc ${verb}` });
          out(stopped.length ? `stopped ${stopped.join(', ')}` : 'no service was running');
          if (verb === 'stop') return 0;
        }
        const { starting } = await call('svc.up', { session, names });
        return (await followUp(session, starting, 120_000)) ? 0 : 1;
      }
      case 'attach': {
        // A tty: true service runs in a terminal of its own: a REPL, a debugger's prompt, typed into like a shell.
        if (!names[0]) throw new UsageError('svc attach needs a service name (one with tty: true; trail svc ls lists them)');
        const l = await call('svc.list', { session, ports: false });
        const svc = l.services.find((x) => x.name === names[0]);
        if (!svc) throw new ClientError(`${session} has no service named ${names[0]}${l.services.length ? `; services: ${l.services.map((x) => x.name).join(', ')}` : ''}`);
        if (!svc.tty) throw new ClientError(`${svc.name} has no terminal to attach to: add tty: true to it in ${l.file ?? 'trail.yaml'} (its output is in trail svc logs ${svc.name})`);
        const { attach } = await import('./attach-client.js');
        return attach({ session, service: names[0], readOnly: Boolean(values['read-only']) });
      }
      case 'reload': {
        const r = await call('svc.reload', { session });
        out(r.restarted.length || r.removed.length ? [r.restarted.length ? `restarted ${r.restarted.join(', ')}` : '', r.removed.length ? `stopped ${r.removed.join(', ')} (no longer declared)` : ''].filter(Boolean).join('; ') : 'nothing running changed');
        return 0;
      }
      case 'add':
      case 'rm':
        return editFile(session, verb, names[0], rest, values.port as string | undefined);
      default:
        throw new UsageError('svc takes ls, logs, start, stop, restart, attach, reload, add or rm');
    }
  },
};

/**
 * svc add / svc rm: trail.yaml edited in place, its comments and order kept
 * (the yaml package's document API). The daemon reads it back before it is
 * left so: a file that would not be right is put back as it was.
 */
async function editFile(session: string, verb: 'add' | 'rm', name: string | undefined, rest: string[], port: string | undefined): Promise<number> {
  if (!name) throw new UsageError(`svc ${verb} needs a service name`);
  if (verb === 'add' && !rest.length) throw new UsageError('svc add needs the command after --: trail svc add web --port 3000 -- npm run dev');
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--port takes a port number, not ${JSON.stringify(port)}`);
  const l = await call('svc.list', { session, ports: false });
  if (l.kind && l.kind !== 'trail.yaml')
    throw new ClientError(`${session}'s services come from ${l.file}; a trail.yaml would take its place: write one first (trail.yaml is read before ${l.kind})`);
  const file = l.file ?? join(l.dir, 'trail.yaml');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  const Y = await import('yaml');
  const { parseDocument, isMap, isSeq, isScalar } = Y;
  const doc = parseDocument(before ?? 'services: {}\n');
  if (verb === 'add') {
    if (doc.hasIn(['services', name])) throw new ClientError(`${file} has a service named ${name} already`);
    // One word after --: the command as written (trail svc add web -- 'npm run dev'); several: each kept a word of its own.
    const spec: Record<string, unknown> = { command: rest.length === 1 ? rest[0] : rest.map(shellWord).join(' ') };
    if (port !== undefined) spec.ready = { port: Number(port) };
    doc.setIn(['services', name], doc.createNode(spec));
  } else {
    if (!doc.hasIn(['services', name])) throw new ClientError(`${file} has no service named ${name}`);
    const dependsOn = (s: string) => {
      const d = doc.getIn(['services', s, 'depends_on']);
      if (isMap(d)) return d.has(name);
      if (isSeq(d)) return d.items.some((i) => isScalar(i) && i.value === name);
      return false;
    };
    const users = l.services.filter((s) => s.name !== name && dependsOn(s.name));
    if (users.length) throw new ClientError(`${users.map((u) => u.name).join(', ')} depend${users.length === 1 ? 's' : ''} on ${name}: change ${users.length === 1 ? 'it' : 'them'} first`);
    const running = l.services.find((s) => s.name === name && s.pid !== null);
    if (running) await call('svc.down', { session, names: [name], by: 'trail svc rm' });
    doc.deleteIn(['services', name]);
  }
  writeFileSync(file, (before !== null && spliced(before, doc, verb, name, Y)) || doc.toString({ lineWidth: 0 }));
  try {
    await call('svc.list', { session, ports: false });
  } catch (e) {
    if (before === null) rmSync(file, { force: true });
    else writeFileSync(file, before);
    throw e;
  }
  out(verb === 'add' ? `added ${name} to ${file} (trail up ${name} starts it)` : `removed ${name} from ${file}`);
  return 0;
}

/**
 * The file with only the service's own lines added or taken out, every other
 * line as it was (the document API renders the whole file again: spaces
 * before a comment, long lines folded). Null when the file is laid out in a
 * way this does not handle (a flow map, no services yet) or the result would
 * not read back as the edited document: it is then rendered whole.
 */
function spliced(before: string, doc: Document, verb: 'add' | 'rm', name: string, Y: typeof import('yaml')): string | null {
  const { isMap, isScalar } = Y;
  const parse = Y.parseDocument;
  const original = parse(before).get('services', true);
  if (!isMap(original) || original.flow || !original.range || !original.items.length) return null;
  const lineStart = (at: number) => before.lastIndexOf('\n', at - 1) + 1;
  const firstKey = original.items[0].key as { range?: [number, number, number] } | null;
  if (!firstKey?.range) return null;
  const indent = firstKey.range[0] - lineStart(firstKey.range[0]);
  let text: string;
  if (verb === 'add') {
    // A key setIn made is a plain string, not a node.
    const node = (doc.get('services', true) as YAMLMap).items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === name);
    if (!node) return null;
    const one = new Y.Document({});
    one.set(node.key, node.value);
    const lines = one.toString({ indent: Math.max(2, indent), lineWidth: 0 }).replace(/\n$/, '').split('\n');
    const at = original.range[1];
    let head = before.slice(0, at);
    if (!head.endsWith('\n')) head += '\n';
    text = head + lines.map((l) => ' '.repeat(indent) + l).join('\n') + '\n' + before.slice(at);
  } else {
    const pair = original.items.find((p) => isScalar(p.key) && p.key.value === name);
    const key = pair?.key as { range?: [number, number, number] } | undefined;
    const value = pair?.value as { range?: [number, number, number] } | null | undefined;
    if (!key?.range || !value?.range) return null;
    let end = value.range[2];
    if (before[end - 1] !== '\n') end = before.indexOf('\n', end) < 0 ? before.length : before.indexOf('\n', end) + 1;
    text = before.slice(0, lineStart(key.range[0])) + before.slice(end);
  }
  return isDeepStrictEqual(parse(text).toJS(), doc.toJS()) ? text : null;
}

/** A log line as the service coloured it, on a terminal that shows colours (a line redrawn with \r is shown as it ended up). */
function logText(l: { line: string; raw: string | null }): string {
  if (l.raw !== null && useColor() && !/[\r\b]/.test(l.raw)) return coloursOnly(l.raw) + '\x1b[0m';
  return escapeControls(l.line);
}


/**
 * svc logs -f: the lines after the last shown, read each time the daemon says
 * a service's output was stored (the service.output event, on the same
 * connection), not on a timer: a line shows as soon as it is in the trail,
 * and a quiet service costs nothing. Ends when the daemon goes (exit 1).
 */
async function follow<L extends { id: number; at: number }>(
  c: DaemonClient,
  session: string,
  after: Map<string, number>,
  read: (name: string, afterId: number) => Promise<L[]>,
  show: (ls: L[]) => void,
): Promise<number> {
  let wake: (() => void) | null = null;
  // A look at once at each: what came between the first read and the watch.
  const stored = new Set(after.keys());
  let gone = false;
  c.onEvent = (e) => {
    const service = (e.data as { service?: string } | null)?.service;
    if (service === undefined || !after.has(service)) return;
    stored.add(service);
    wake?.();
  };
  c.onClose = () => {
    gone = true;
    wake?.();
  };
  c.send({ t: 'watch', kinds: ['service.output'], session });
  for (;;) {
    if (!stored.size && !gone) await new Promise<void>((r) => (wake = r));
    wake = null;
    if (gone) {
      process.stderr.write('trail: the daemon stopped; no more lines will come\n');
      return 1;
    }
    const names = [...stored];
    stored.clear();
    const lines = (await Promise.all(names.map(async (n) => {
      const ls = await read(n, after.get(n)!);
      if (ls.length) after.set(n, ls[ls.length - 1].id);
      return ls;
    }))).flat().sort((a, b) => a.at - b.at);
    show(lines);
  }
}
