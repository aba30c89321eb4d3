// Git context for a directory, read by the daemon from .git directly: the shell
// hooks never start a process for it. Only "dirty" needs git itself, and that
// runs in the daemon, off the terminal's path, bounded in time.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type GitContext = { root: string; branch: string | null; head: string | null; dirty: boolean | null };

/** The git root above dir (a .git directory or file), found without starting a process. */
export function gitRoot(dir: string): string | null {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

function findGitDir(dir: string): { root: string; gitDir: string } | null {
  let d = resolve(dir);
  for (;;) {
    const dotgit = join(d, '.git');
    try {
      // A few stats up the tree, once per command: synchronous and without an
      // exception per missing .git, which costs more than the stat itself.
      const st = statSync(dotgit, { throwIfNoEntry: false });
      if (st?.isDirectory()) return { root: d, gitDir: dotgit };
      if (st?.isFile()) {
        // worktrees and submodules: "gitdir: <path>"
        const m = /^gitdir:\s*(.+)\s*$/m.exec(readFileSync(dotgit, 'utf8'));
        if (m) return { root: d, gitDir: resolve(d, m[1]) };
      }
    } catch {
      /* not here */
    }
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

function resolveRef(gitDir: string, ref: string): string | null {
  const candidates = [gitDir];
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    candidates.push(resolve(gitDir, common));
  } catch {
    /* not a worktree */
  }
  for (const g of candidates) {
    try {
      return readFileSync(join(g, ref), 'utf8').trim();
    } catch {
      /* try packed-refs */
    }
    try {
      const packed = readFileSync(join(g, 'packed-refs'), 'utf8');
      for (const line of packed.split('\n')) {
        const [sha, name] = line.split(' ');
        if (name === ref) return sha;
      }
    } catch {
      /* none */
    }
  }
  return null;
}

/**
 * `git status` without optional locks: it must never rewrite the user's
 * .git/index or race their own git for index.lock.
 */
function isDirty(root: string): Promise<boolean | null> {
  return new Promise((done) => {
    execFile(
      'git',
      ['--no-optional-locks', '-C', root, 'status', '--porcelain', '--untracked-files=normal'],
      { timeout: 2000, maxBuffer: 1 << 20, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
      (err, stdout) => done(err ? null : stdout.length > 0),
    );
  });
}

/**
 * One `git status` in flight per repository: a burst of commands shares the
 * probe that starts after the one running when they asked (so each answer
 * is at least as new as the question), never one probe per command.
 */
const probes = new Map<string, { running: Promise<boolean | null>; next: Promise<boolean | null> | null }>();

function launch(root: string): Promise<boolean | null> {
  const running = isDirty(root).finally(() => {
    const cur = probes.get(root);
    if (cur && cur.running === running && !cur.next) probes.delete(root);
  });
  probes.set(root, { running, next: null });
  return running;
}

export function dirtyProbe(root: string): Promise<boolean | null> {
  const p = probes.get(root);
  if (!p) return launch(root);
  return (p.next ??= p.running.then(() => launch(root)));
}

/**
 * Where a command runs, read when it starts (a few small synchronous reads of
 * .git): its repository, branch and HEAD before the command can move them,
 * as `git checkout -b` does.
 */
export function gitHead(dir: string): Omit<GitContext, 'dirty'> | null {
  const found = findGitDir(dir);
  if (!found) return null;
  let branch: string | null = null;
  let head: string | null = null;
  try {
    const h = readFileSync(join(found.gitDir, 'HEAD'), 'utf8').trim();
    if (h.startsWith('ref: ')) {
      const ref = h.slice(5);
      branch = ref.replace(/^refs\/heads\//, '');
      head = resolveRef(found.gitDir, ref);
    } else head = h;
  } catch {
    /* unreadable HEAD */
  }
  return { root: found.root, branch, head };
}

function git(root: string, args: string[]): Promise<string | null> {
  return new Promise((done) => {
    execFile('git', ['--no-optional-locks', '-C', root, ...args], { timeout: 3000, maxBuffer: 4 << 20, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }, (err, stdout) =>
      done(err ? null : stdout),
    );
  });
}

/**
 * What changed in a repository since a time, for a briefing: commits made
 * since (newest first), and files that are changed and not committed whose
 * last modification came since. Null when git cannot say.
 */
export async function gitSince(root: string, since: number): Promise<{ commits: { subject: string; at: number }[]; changed: string[] } | null> {
  const [log, status] = await Promise.all([
    git(root, ['log', `--since=@${Math.floor(since / 1000)}`, '--format=%ct%x09%s', '-n', '100']),
    git(root, ['status', '--porcelain', '-z', '--untracked-files=normal']),
  ]);
  if (log === null || status === null) return null;
  const commits = log
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const tab = l.indexOf('\t');
      return { at: Number(l.slice(0, tab)) * 1000, subject: l.slice(tab + 1) };
    })
    // Commit times are whole seconds: one made in the second the visit ended counts.
    .filter((c) => c.at >= Math.floor(since / 1000) * 1000);
  const changed: string[] = [];
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.length < 4) continue;
    const file = e.slice(3);
    if (e[0] === 'R' || e[0] === 'C') i++; // the next entry is the name it had
    try {
      if (statSync(join(root, file)).mtimeMs >= since) changed.push(file);
    } catch {
      /* deleted: when is not known, so it is not said to have changed since */
    }
  }
  return { commits, changed };
}
