// A session's services as declared: trail.yaml, or else a Procfile. A file
// that is not right starts nothing and says where, with the field's path and
// what was expected: `trail.yaml:5:13: services.web.ready.port: expected a
// number`, for YAML errors, unknown keys (with the closest known key),
// wrong types, a dependency on a missing service and a dependency cycle.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { z } from 'zod';

/** "500ms", "2s", "1m", "1h", or a number of seconds. */
export const Duration = z.union(
  [
    z.number().min(0).transform((s) => Math.round(s * 1000)),
    z
      .string()
      .regex(/^\d+(\.\d+)?(ms|s|m|h)$/)
      .transform((v) => {
        const n = parseFloat(v);
        return Math.round(v.endsWith('ms') ? n : v.endsWith('h') ? n * 3_600_000 : v.endsWith('m') ? n * 60_000 : n * 1000);
      }),
  ],
  { error: 'expected a duration such as 500ms, 2s or 1m (or a number of seconds)' },
);

const Probe = z
  .object({
    /** Ready when this TCP port on 127.0.0.1 accepts a connection. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Ready when a GET of this URL answers with `status`. */
    http: z.string().url().optional(),
    status: z.number().int().min(100).max(599).default(200),
    /** Ready when a line of the service's output matches this regular expression. */
    log: z.string().optional(),
    /** Ready when this command exits 0. */
    exec: z.string().optional(),
    period: Duration.default(1000),
    timeout: Duration.default(5000),
    failure_threshold: z.number().int().min(1).default(3),
  })
  .strict()
  .refine((p) => [p.port, p.http, p.log, p.exec].filter((x) => x !== undefined).length === 1, 'expected exactly one of port, http, log or exec');

const Condition = z.enum(['started', 'ready', 'completed', 'completed_successfully']);

const Service = z
  .object({
    command: z.string().min(1),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    env_file: z.string().optional(),
    depends_on: z
      .union([z.array(z.string()), z.record(z.string(), z.object({ condition: Condition.default('started') }).strict())])
      .default([])
      .transform((d) => (Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, { condition: 'started' as const }])) : d)),
    ready: Probe.optional(),
    liveness: Probe.optional(),
    restart: z.enum(['no', 'on-failure', 'always']).default('on-failure'),
    backoff: z.object({ initial: Duration.default(1000), max: Duration.default(30_000) }).strict().default({ initial: 1000, max: 30_000 }),
    max_restarts: z.number().int().min(0).default(5),
    stop: z
      .object({ signal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2']).default('SIGTERM'), grace: Duration.default(10_000) })
      .strict()
      .default({ signal: 'SIGTERM', grace: 10_000 }),
    autostart: z.boolean().default(true),
    tty: z.boolean().default(false),
  })
  .strict();

const TrailYaml = z.object({ services: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a service name is letters, digits, . _ -'), Service) }).strict();

export type ServiceSpec = z.infer<typeof Service> & { name: string };
export type ServiceFile = {
  file: string;
  kind: 'trail.yaml' | 'process-compose.yaml' | 'Procfile';
  services: ServiceSpec[];
  /** What the file says that trail does not do (process-compose keys it does not support), in one line. */
  warnings: string[];
};

/** A file that is not right: where, the field, and what was expected. */
export class ServiceConfigError extends Error {}

/** The services declared for a directory: trail.yaml, else process-compose.yaml, else a Procfile; null when none is there. */
export function loadServices(dir: string): ServiceFile | null {
  for (const name of ['trail.yaml', 'trail.yml']) {
    const file = join(dir, name);
    if (existsSync(file)) return parsedOnce(file, (text) => ({ file, kind: 'trail.yaml', services: parseTrailYaml(text, file), warnings: [] }));
  }
  for (const name of ['process-compose.yaml', 'process-compose.yml']) {
    const file = join(dir, name);
    if (existsSync(file)) return parsedOnce(file, (text) => ({ file, kind: 'process-compose.yaml', ...parseProcessCompose(text, file) }));
  }
  const procfile = join(dir, 'Procfile');
  if (existsSync(procfile)) return parsedOnce(procfile, (text) => ({ file: procfile, kind: 'Procfile', services: parseProcfile(text, procfile), warnings: [] }));
  return null;
}

/**
 * The file is read at every look (what it says now is what counts), and
 * parsed again only when its text changed: every `svc ls`, and each step of
 * `trail up`'s progress, looks at it, and parsing a YAML file and checking it
 * took the daemon's loop 2–5 ms a look, which a starting stack waited on.
 * What came of it is frozen, since every look shares it.
 */
const parsed = new Map<string, { text: string; result: ServiceFile | null; error: unknown }>();
function parsedOnce(file: string, parse: (text: string) => ServiceFile): ServiceFile {
  const text = readFileSync(file, 'utf8');
  let known = parsed.get(file);
  if (known?.text !== text) {
    known = { text, result: null, error: null };
    try {
      known.result = deepFreeze(parse(text));
    } catch (e) {
      known.error = e;
    }
    parsed.delete(file);
    parsed.set(file, known);
    if (parsed.size > 64) parsed.delete(parsed.keys().next().value!);
  }
  if (known.error) throw known.error;
  return known.result!;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const PC_CONDITIONS: Record<string, string> = {
  process_started: 'started',
  process_healthy: 'ready',
  process_completed: 'completed',
  process_completed_successfully: 'completed_successfully',
};
const PC_RESTART: Record<string, string> = { always: 'always', on_failure: 'on-failure', exit_on_failure: 'no', no: 'no' };
const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' };

/**
 * process-compose.yaml, the documented subset that maps onto trail's own:
 * command, working_dir, environment, depends_on conditions, readiness_probe
 * (exec, http_get), ready_log_line, availability (restart, backoff_seconds,
 * max_restarts), shutdown (signal, timeout_seconds), disabled. Anything else
 * is named in one warning, never dropped in silence.
 */
export function parseProcessCompose(text: string, file: string): { services: ServiceSpec[]; warnings: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const where = (e: (typeof doc.errors)[number]) => {
      const p = lines.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}`;
    };
    throw new ServiceConfigError(everyOne(doc.errors.map((e) => `${where(e)}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${yamlHint(e.message)}`), file));
  }
  const root = (doc.toJS() ?? {}) as Record<string, unknown>;
  const at = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const p = lines.linePos(node.range[0]);
        return `${file}:${p.line}:${p.col}`;
      }
    }
    return file;
  };
  const ignored = new Set<string>();
  for (const k of Object.keys(root)) if (k !== 'processes' && k !== 'version') ignored.add(k);
  const procs = root.processes;
  if (!procs || typeof procs !== 'object' || Array.isArray(procs)) throw new ServiceConfigError(`${at(['processes'])}: processes: expected a mapping of processes`);
  const services: Record<string, unknown> = {};
  // Every process's problems at once, as for trail.yaml.
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(procs as Record<string, Record<string, unknown>>)) {
    try {
      services[name] = processCompose(name, raw ?? {}, at, ignored);
    } catch (e) {
      if (!(e instanceof ServiceConfigError)) throw e;
      problems.push(...e.message.split('\n'));
    }
  }
  if (problems.length) throw new ServiceConfigError(everyOne(problems, file));
  const specs = Object.entries(services).map(([name, s]) => ({ ...(s as z.infer<typeof Service>), name }));
  checkDependencies(specs, (name) => at(['processes', name, 'depends_on']), 'processes');
  const warnings = ignored.size ? [`${file}: not supported by trail, left out: ${[...ignored].join(', ')}`] : [];
  return { services: specs, warnings };
}

/** One process of a process-compose file as a trail service (throws ServiceConfigError with each problem on a line). */
function processCompose(name: string, p: Record<string, unknown>, at: (path: string[]) => string, ignored: Set<string>): unknown {
  const s: Record<string, unknown> = {};
  const known = new Set(['command', 'working_dir', 'environment', 'depends_on', 'readiness_probe', 'ready_log_line', 'availability', 'shutdown', 'disabled', 'description']);
  for (const k of Object.keys(p)) if (!known.has(k)) ignored.add(`processes.${name}.${k}`);
  s.command = p.command;
  if (p.working_dir !== undefined) s.cwd = p.working_dir;
  if (Array.isArray(p.environment))
    s.env = Object.fromEntries((p.environment as string[]).map((e) => [String(e).split('=')[0], String(e).split('=').slice(1).join('=')]));
  if (p.depends_on && typeof p.depends_on === 'object')
    s.depends_on = Object.fromEntries(
      Object.entries(p.depends_on as Record<string, { condition?: string }>).map(([dep, d]) => {
        const c = d?.condition ?? 'process_started';
        if (!PC_CONDITIONS[c]) throw new ServiceConfigError(`${at(['processes', name, 'depends_on', dep, 'condition'])}: processes.${name}.depends_on.${dep}.condition: expected one of ${Object.keys(PC_CONDITIONS).join(', ')}`);
        return [dep, { condition: PC_CONDITIONS[c] }];
      }),
    );
  const probe = p.readiness_probe as Record<string, Record<string, unknown> | number> | undefined;
  if (probe) {
    const timing = { period: (probe.period_seconds as number | undefined) ?? 1, timeout: (probe.timeout_seconds as number | undefined) ?? 1, failure_threshold: (probe.failure_threshold as number | undefined) ?? 3 };
    const exec = probe.exec as { command?: string } | undefined;
    const http = probe.http_get as { host?: string; port?: number; path?: string; scheme?: string } | undefined;
    if (exec?.command) s.ready = { exec: exec.command, ...timing };
    else if (http?.port) s.ready = { http: `${http.scheme ?? 'http'}://${http.host ?? '127.0.0.1'}:${http.port}${http.path ?? '/'}`, ...timing };
    for (const k of Object.keys(probe)) if (!['exec', 'http_get', 'period_seconds', 'timeout_seconds', 'failure_threshold'].includes(k)) ignored.add(`processes.${name}.readiness_probe.${k}`);
  } else if (typeof p.ready_log_line === 'string') s.ready = { log: p.ready_log_line };
  const av = p.availability as Record<string, unknown> | undefined;
  if (av) {
    if (av.restart !== undefined) {
      const r = PC_RESTART[String(av.restart)];
      if (!r) throw new ServiceConfigError(`${at(['processes', name, 'availability', 'restart'])}: processes.${name}.availability.restart: expected one of ${Object.keys(PC_RESTART).join(', ')}`);
      s.restart = r;
    }
    if (typeof av.backoff_seconds === 'number') s.backoff = { initial: av.backoff_seconds };
    if (typeof av.max_restarts === 'number') s.max_restarts = av.max_restarts;
    for (const k of Object.keys(av)) if (!['restart', 'backoff_seconds', 'max_restarts'].includes(k)) ignored.add(`processes.${name}.availability.${k}`);
  } else s.restart = 'no'; // process-compose restarts nothing unless told
  const sh = p.shutdown as Record<string, unknown> | undefined;
  if (sh) {
    s.stop = {
      ...(sh.signal !== undefined ? { signal: typeof sh.signal === 'number' ? (SIGNALS[sh.signal] ?? 'SIGTERM') : sh.signal } : {}),
      ...(typeof sh.timeout_seconds === 'number' ? { grace: sh.timeout_seconds } : {}),
    };
    for (const k of Object.keys(sh)) if (!['signal', 'timeout_seconds'].includes(k)) ignored.add(`processes.${name}.shutdown.${k}`);
  }
  if (p.disabled === true) s.autostart = false;
  const one = Service.safeParse(s);
  if (!one.success) {
    const pcPath: Record<string, string> = { cwd: 'working_dir', ready: 'readiness_probe', stop: 'shutdown', restart: 'availability.restart' };
    throw new ServiceConfigError(
      one.error.issues
        .map((i) => {
          const field = [pcPath[String(i.path[0])] ?? String(i.path[0]), ...i.path.slice(1).map(String)];
          return `${at(['processes', name, ...field.join('.').split('.')])}: processes.${name}.${field.join('.')}: ${i.message}`;
        })
        .join('\n'),
    );
  }
  return one.data;
}

export function parseTrailYaml(text: string, file: string): ServiceSpec[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length)
    throw new ServiceConfigError(everyOne(doc.errors.map((e) => `${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${yamlHint(e.message)}`), file));
  const parsed = TrailYaml.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    // Everything wrong at once, as a compiler says it. A misspelt key
    // explains the field it leaves missing: the field is not said again.
    const issues = parsed.error.issues;
    const said: string[] = [];
    const explained = new Set<string>();
    for (const i of issues)
      if (i.code === 'unrecognized_keys')
        for (const key of i.keys) {
          const { text, near } = describeUnknown(i.path.map(String), key, doc, at);
          said.push(text);
          // What the mapping then lacks (the field, or one of a choice of fields) is the misspelling's doing.
          if (near) explained.add([...i.path.map(String), near].join('.')).add(i.path.map(String).join('.'));
        }
    for (const i of issues) if (i.code !== 'unrecognized_keys' && !explained.has(i.path.map(String).join('.'))) said.push(describeIssue(i, doc, at));
    throw new ServiceConfigError(everyOne(said, file));
  }
  const services = Object.entries(parsed.data.services).map(([name, s]) => ({ ...s, name }));
  checkDependencies(services, (name, dep) => {
    const node = doc.getIn(['services', name, 'depends_on'], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? at(node.range[0]) : file;
  });
  return services;
}

/** The lines saying what is wrong, in the file's order, each once; past 20, how many more. */
function everyOne(lines: string[], file: string): string {
  const pos = (l: string) => l.slice(file.length + 1).split(':', 2).map((n) => Number(n) || 0);
  const sorted = [...new Set(lines)].sort((a, b) => {
    const [la, ca] = pos(a);
    const [lb, cb] = pos(b);
    return la - lb || ca - cb;
  });
  return (sorted.length > 20 ? [...sorted.slice(0, 20), `… and ${sorted.length - 20} more`] : sorted).join('\n');
}

/** Where a path of the file is, or the nearest mapping above it that is there. */
function whereIn(doc: Document, p: string[], at: (offset: number) => string): string {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return at(node.range[0]);
  }
  return at(0);
}

/** An unknown key: where it is, and the known key it is closest to. */
function describeUnknown(path: string[], key: string, doc: Document, at: (offset: number) => string): { text: string; near: string | null } {
  const map = doc.getIn(path, true);
  const pair = isMap(map) ? map.items.find((i) => (i.key as { value?: unknown })?.value === key) : undefined;
  const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
  const known = knownKeys(path);
  const near = closest(key, known);
  return { text: `${range ? at(range[0]) : whereIn(doc, path, at)}: ${[...path, key].join('.')}: unknown key${near ? `; did you mean ${near}?` : known.length ? ` (known: ${known.join(', ')})` : ''}`, near };
}

/** The position and words for one thing wrong in the file (not an unknown key: describeUnknown). */
function describeIssue(issue: z.core.$ZodIssue, doc: Document, at: (offset: number) => string): string {
  const path = issue.path.map(String);
  const where = (p: string[]) => whereIn(doc, p, at);
  const field = path.join('.') || '(top)';
  let what = issue.message;
  if (issue.code === 'invalid_type') {
    const expected = `expected ${issue.expected === 'record' || issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    what = doc.getIn(path) === undefined ? `missing (${expected})` : expected;
  }
  else if (issue.code === 'invalid_value' && 'values' in issue) what = `expected one of ${(issue.values as unknown[]).map(String).join(', ')}`;
  return `${where(path)}: ${field}: ${what}`;
}

/** The keys a mapping at this path may have, for "did you mean". */
function knownKeys(path: string[]): string[] {
  if (path.length === 0) return ['services'];
  if (path.length === 2 && path[0] === 'services') return Object.keys(Service.shape);
  const last = path[path.length - 1];
  if (path.length === 3 && (last === 'ready' || last === 'liveness')) return ['port', 'http', 'status', 'log', 'exec', 'period', 'timeout', 'failure_threshold'];
  if (last === 'stop') return ['signal', 'grace'];
  if (last === 'backoff') return ['initial', 'max'];
  if (path.length === 4 && path[2] === 'depends_on') return ['condition'];
  return [];
}

/** The known key nearest to what was typed, if it is near enough to be a typo. */
/** The usual cause of YAML's mapping errors in a service file: a command with ': ' or quotes in it, unquoted. */
function yamlHint(message: string): string {
  return /mapping|Implicit keys|Unexpected scalar/i.test(message) ? " (a command with ': ', '#' or quotes in it must be quoted as a whole: command: \"sh -c 'echo a: b'\")" : '';
}

/** Short names people write for keys (docker-compose's, abbreviations): said before any spelling guess. */
const ALIASES: Record<string, string> = { cmd: 'command', run: 'command', exec: 'command', dir: 'cwd', working_dir: 'cwd', workdir: 'cwd', environment: 'env', envfile: 'env_file', depends: 'depends_on', needs: 'depends_on', healthcheck: 'ready', readiness: 'ready' };

function closest(typed: string, known: string[]): string | null {
  const alias = ALIASES[typed.toLowerCase()];
  if (alias && known.includes(alias)) return alias;
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(typed.toLowerCase(), k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(typed.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** Every dependency names a service of the file, and none goes round in a circle. */
function checkDependencies(services: ServiceSpec[], where: (name: string, dep: string) => string, root = 'services'): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  const missing = services.flatMap((s) =>
    Object.keys(s.depends_on)
      .filter((dep) => !byName.has(dep))
      .map((dep) => `${where(s.name, dep)}: ${root}.${s.name}.depends_on: no service named ${dep} (${root}: ${[...byName.keys()].join(', ')})`),
  );
  if (missing.length) throw new ServiceConfigError(missing.join('\n'));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new ServiceConfigError(`${where(cycle[0], cycle[1])}: ${root}.${cycle[0]}.depends_on: a dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(byName.get(name)!.depends_on)) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const s of services) visit(s.name, []);
}

/** The order to start services in: every service after what it depends on. */
export function startOrder(services: ServiceSpec[]): ServiceSpec[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ServiceSpec[] = [];
  const seen = new Set<string>();
  const visit = (s: ServiceSpec) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    for (const dep of Object.keys(s.depends_on)) visit(byName.get(dep)!);
    out.push(s);
  };
  for (const s of services) visit(s);
  return out;
}

/** A Procfile: `name: command` per line (# comments and blank lines skipped), as foreman and overmind read it. */
export function parseProcfile(text: string, file: string): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*):\s*(.+)$/.exec(line);
    if (!m) throw new ServiceConfigError(`${file}:${i + 1}:1: expected "name: command"`);
    if (out.some((s) => s.name === m[1])) throw new ServiceConfigError(`${file}:${i + 1}:1: ${m[1]} is declared twice`);
    out.push({ ...Service.parse({ command: m[2] }), name: m[1] });
  });
  return out;
}
