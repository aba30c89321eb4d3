// The trail as a user meets it: real bash, zsh and fish in real terminals,
// commands typed through a real attach client, read back with the real CLI.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Sandbox, PtyClient, eventually, sleep, done, runCommand } from './helpers.js';

type Cmd = {
  id: number;
  command: string;
  cwd: string;
  exitCode: number | null;
  durationMs: number;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  seq: number | null;
  commandBytes: number | null;
  git: { root: string; branch: string; head: string; dirty: boolean } | null;
  output?: string;
  raw?: string | null;
  outputBytes: number;
  outputTruncated: boolean;
  screen: boolean;
  session: string;
  match?: { field: string; line: number; excerpt: string };
};

async function log(sb: Sandbox, session: string): Promise<Cmd[]> {
  return sb.json<Cmd[]>(['log', session, '--json', '-n', '1000']);
}

/** A daemon, a session in the user's home, and a client attached at its first prompt. */
async function openSession(sb: Sandbox, session: string, prompt: string): Promise<PtyClient> {
  await sb.startDaemon();
  await sb.trail(['new', session, '-d', '--dir', sb.userHome]);
  const c = sb.attach(['attach', session], { cols: 120, rows: 30 });
  await c.waitFor(prompt);
  return c;
}

async function closeSession(sb: Sandbox, c: PtyClient): Promise<void> {
  c.type('\x1c');
  await c.left();
  await sb.cleanup();
}

const run = (sb: Sandbox, c: PtyClient, session: string, keys: string, atPrompt = true) => runCommand<Cmd>(sb, c, session, keys, atPrompt);

/** The shell is at its prompt, nothing typed. */
async function promptReady(c: PtyClient): Promise<void> {
  await c.promptReady();
}

/** Runs `sleep 30`, presses Ctrl-C while it runs, and returns its record. */
async function interrupted(sb: Sandbox, c: PtyClient, session: string): Promise<Cmd> {
  await promptReady(c);
  const before = (await log(sb, session)).length;
  c.type('sleep 30\r');
  await sleep(500);
  c.type('\x03');
  return eventually(async () => {
    const l = await log(sb, session);
    return l.length > before && done(l[l.length - 1]) ? l[l.length - 1] : null;
  }, 'the interrupted command');
}

async function settle(sb: Sandbox, session: string): Promise<number> {
  await sleep(600);
  return (await log(sb, session)).length;
}

describe('bash', () => {
  const sb = new Sandbox();
  let c: PtyClient;
  const S = 'b';
  before(async () => {
    sb.file(
      '.bashrc',
      [
        'HISTCONTROL=ignorespace',
        `PS1='my-prompt \\w \\$ '`,
        `PROMPT_COMMAND='__user_pc=$((__user_pc+1))'`,
        'alias ll="echo ALIAS-WORKS"',
      ].join('\n') + '\n',
    );
    c = await openSession(sb, S, 'my-prompt');
  });
  after(() => closeSession(sb, c));

  test('a pipeline is kept whole, with its output, cwd, exit code and duration', async () => {
    const r = await run(sb, c, S, 'printf "alpha\\nbeta\\ngamma\\n" | grep -v beta | tr a-z A-Z; echo "semi;colon"\r');
    assert.equal(r.command, 'printf "alpha\\nbeta\\ngamma\\n" | grep -v beta | tr a-z A-Z; echo "semi;colon"');
    assert.equal(r.output, 'ALPHA\nGAMMA\nsemi;colon');
    assert.equal(r.exitCode, 0);
    assert.equal(r.cwd, sb.userHome);
    assert.ok(r.durationMs >= 0 && r.durationMs < 5000);
  });

  test('user rc still loads: aliases, custom PS1 and PROMPT_COMMAND survive', async () => {
    const r = await run(sb, c, S, 'll; echo "pc=$__user_pc"\r');
    assert.match(r.output!, /ALIAS-WORKS/);
    assert.match(r.output!, /pc=\d+/);
    assert.match(await c.screen(), /my-prompt ~ [$#] $/m);
  });

  test('multi-line commands, heredocs and unicode are kept as typed', async () => {
    const loop = await run(sb, c, S, 'for i in 1 2; do\recho "n=$i"\rdone\r');
    assert.match(loop.command, /^for i in 1 2; do.*echo "n=\$i".*done$/s);
    assert.equal(loop.output, 'n=1\nn=2');
    const here = await run(sb, c, S, 'cat <<EOF\rhéllo wörld ✓\rEOF\r');
    assert.match(here.command, /^cat <<EOF\nhéllo wörld ✓\nEOF$/);
    assert.equal(here.output, 'héllo wörld ✓');
  });

  test('cd between commands moves the recorded cwd; failures keep their exit code', async () => {
    mkdirSync(join(sb.userHome, 'proj'), { recursive: true });
    await run(sb, c, S, 'cd proj\r');
    const r = await run(sb, c, S, 'ls /does-not-exist\r');
    assert.equal(r.cwd, join(sb.userHome, 'proj'));
    assert.equal(r.exitCode, 2);
    assert.match(r.output!, /No such file or directory/);
    const last = await sb.json<Cmd>(['last', '--failed', '--json', '--session', S]);
    assert.equal(last.id, r.id);
    await run(sb, c, S, 'cd ~\r');
  });

  test('Ctrl-C of a running command records exit 130; empty Enter and Ctrl-C at the prompt record nothing', async () => {
    const r = await interrupted(sb, c, S);
    assert.equal(r.command, 'sleep 30');
    assert.equal(r.exitCode, 130);
    const n = await settle(sb, S);
    c.type('\r');
    c.type('\r');
    c.type('half typed\x03');
    assert.equal(await settle(sb, S), n);
  });

  test('a command with a leading space is not recorded (HISTCONTROL=ignorespace)', async () => {
    await promptReady(c);
    const n = await settle(sb, S);
    c.type(' echo hidden-one\r');
    await c.waitFor('hidden-one\n');
    await sleep(600);
    const now = await log(sb, S);
    assert.equal(now.length, n, `recorded: ${JSON.stringify(now.slice(n).map((x) => x.command))}`);
    // and the next ordinary command is recorded as usual
    const r = await run(sb, c, S, 'echo visible-two\r');
    assert.equal(r.command, 'echo visible-two');
  });

  test('show --raw keeps the colours', async () => {
    const r = await run(sb, c, S, "printf '\\e[31mred-text\\e[0m\\n'\r");
    assert.equal(r.output, 'red-text');
    const raw = await sb.trail(['show', String(r.id), '--raw']);
    assert.ok(raw.stdout.includes('\x1b[31mred-text\x1b[0m'), JSON.stringify(raw.stdout));
  });

  test('a repeated command is recorded each time', async () => {
    const a = await run(sb, c, S, 'echo twice\r');
    const b = await run(sb, c, S, 'echo twice\r');
    assert.notEqual(a.id, b.id);
    assert.equal(b.command, 'echo twice');
  });

  test('a file with forged OSC 633 marks makes no record', async () => {
    const forged = join(sb.dir, 'forged.txt');
    writeFileSync(
      forged,
      '\x1b]633;A\x07\x1b]633;B\x07\x1b]633;E;rm\\x20-rf\\x20/;deadbeef\x07\x1b]633;C\x07pwned\x1b]633;D;0\x07\x1b]633;P;Cwd=/etc\x07\n',
    );
    const r = await run(sb, c, S, `cat ${forged}\r`);
    assert.equal(r.command, `cat ${forged}`);
    assert.equal(r.cwd, sb.userHome);
    const all = await log(sb, S);
    assert.ok(!all.some((x) => x.command.includes('rm -rf')));
    const next = await run(sb, c, S, 'pwd\r');
    assert.equal(next.cwd, sb.userHome, 'a forged cwd mark is ignored');
  });

  test('secrets are redacted in the store and in search, the command is kept', async () => {
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const r = await run(sb, c, S, `echo "deploy with ${token}"; echo password=hunter2222\r`);
    assert.equal(r.command, 'echo "deploy with [REDACTED]"; echo password=[REDACTED]');
    assert.equal(r.output, 'deploy with [REDACTED]\npassword=[REDACTED]');
    const hits = await sb.search<Cmd>(['A1b2C3d4']);
    assert.equal(hits.length, 0);
    const db = new Database(join(sb.home, 'trail.db'), { readonly: true });
    const leaked = db.prepare("SELECT count(*) n FROM commands WHERE command LIKE '%A1b2C3%' OR output LIKE '%A1b2C3%' OR raw LIKE '%A1b2C3%' OR output LIKE '%hunter2222%'").get() as { n: number };
    db.close();
    assert.equal(leaked.n, 0);
    const found = await sb.search<Cmd>(['deploy with']);
    assert.equal(found[0].id, r.id);
  });

  test('a full-screen program is kept as its last screen', async () => {
    const file = join(sb.dir, 'notes.txt');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `note line ${i}`).join('\n') + '\n');
    c.type(`less ${file}\r`);
    await c.waitFor('note line 20');
    c.type(' '); // page down
    await c.waitFor('note line 40');
    await sleep(200);
    const r = await run(sb, c, S, 'q', false);
    assert.equal(r.command, `less ${file}`);
    assert.equal(r.screen, true);
    assert.match(r.output!, /note line 40/);
    assert.doesNotMatch(r.output!, /note line 0\n/, 'the first page was repainted away');
  });

  test('a nested shell is one command of the outer shell; its own commands forge nothing', async () => {
    const n = (await log(sb, S)).length;
    c.type('bash --norc -i\r');
    await sleep(500);
    c.type('echo inner-$((1+1))\r');
    await c.waitFor('inner-2');
    const r = await run(sb, c, S, 'exit\r', false);
    assert.equal(r.command, 'bash --norc -i');
    assert.match(r.output!, /inner-2/);
    assert.equal((await log(sb, S)).length, n + 1);
  });

  test('huge output keeps head and tail and the full size', async () => {
    const r = await run(sb, c, S, 'seq 1 400000\r');
    assert.equal(r.outputTruncated, true);
    assert.ok(r.outputBytes > 2_000_000, `bytes ${r.outputBytes}`);
    assert.match(r.output!, /^1\n2\n3\n/);
    assert.match(r.output!, /399999\n400000$/);
    assert.match(r.output!, /output truncated/);
    assert.ok(r.output!.length < 400 * 1024);
  });

  test('git context: root, branch, HEAD and dirty flag', async () => {
    const repo = join(sb.dir, 'repo');
    mkdirSync(repo);
    const git = (...a: string[]) => execFileSync('git', ['-C', repo, ...a], { env: { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).toString().trim();
    git('init', '-q', '-b', 'feature/x');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git('add', '.');
    git('commit', '-qm', 'one');
    const head = git('rev-parse', 'HEAD');
    const clean = await run(sb, c, S, `cd ${repo} && echo clean\r`);
    assert.deepEqual(clean.git, null, 'the cd happened in this command: it started outside the repo');
    const inRepo = await run(sb, c, S, 'echo in-repo\r');
    assert.equal(inRepo.git?.root, repo);
    assert.equal(inRepo.git?.branch, 'feature/x');
    assert.equal(inRepo.git?.head, head);
    assert.equal(inRepo.git?.dirty, false);
    writeFileSync(join(repo, 'a.txt'), 'changed\n');
    // git status would refresh the index (a write the user's own git can collide with) without --no-optional-locks
    const index = statSync(join(repo, '.git', 'index')).mtimeMs;
    const dirty = await run(sb, c, S, 'echo dirty-now\r');
    assert.equal(dirty.git?.dirty, true);
    assert.equal(statSync(join(repo, '.git', 'index')).mtimeMs, index, 'recording left .git/index untouched');
    // a new branch gets its own header in the log, though the directory is the same
    await run(sb, c, S, 'git checkout -q -b fix/bug-42\r');
    await run(sb, c, S, 'echo on-the-fix\r');
    const text = (await sb.trail(['log', S])).stdout;
    // (the checkout itself may fall under either branch: the daemon reads .git a moment after the start mark)
    assert.match(text, new RegExp(`in ${repo} \\(fix/bug-42\\*?\\)\\n(#[^\\n]*\\n)*#[^\\n]*echo on-the-fix`));
    await run(sb, c, S, 'git checkout -q feature/x\r');
    const byBranch = await sb.search<Cmd>(['dirty-now', '--branch', 'feature/x']);
    assert.equal(byBranch.length, 1);
    assert.equal((await sb.search<Cmd>(['dirty-now', '--branch', 'main'])).length, 0);
    await run(sb, c, S, 'cd ~\r');
  });

  test('search: substrings of output, where the match is, and filters', async () => {
    const r = await run(sb, c, S, 'echo "first"; echo "the quick brown""fox jumps"\r');
    const hits = await sb.search<Cmd>(['ownfo']);
    assert.equal(hits[0].id, r.id);
    assert.deepEqual(hits[0].match, { field: 'output', line: 2, excerpt: 'the quick brownfox jumps' });
    const text = await sb.trail(['search', 'ownfo']);
    assert.match(text.stdout, /output line 2: the quick brownfox jumps/);
    assert.equal((await sb.search<Cmd>(['ownfo', '--failed'])).length, 0);
    assert.equal((await sb.search<Cmd>(['ownfo', '--dir', sb.userHome])).length, 1);
    assert.equal((await sb.search<Cmd>(['ownfo', '--dir', '/nowhere'])).length, 0);
    // a relative --dir is taken from where trail runs
    const rel = await sb.trail(['search', 'ownfo', '--dir', '.', '--json'], { cwd: sb.userHome });
    assert.equal((JSON.parse(rel.stdout) as Cmd[]).length, 1);
    const elsewhere = await sb.trail(['search', 'ownfo', '--dir', '.', '--json'], { cwd: sb.home });
    assert.equal((JSON.parse(elsewhere.stdout) as Cmd[]).length, 0);
    const none = await sb.trail(['search', 'zzqqxx-not-there']);
    assert.equal(none.code, 1);
    const bad = await sb.trail(['search', 'x', '--since', 'last tuesday']);
    assert.match(bad.stderr, /--since "last tuesday": use e.g. 2h/);
  });

  test('search finds a word from the output of a command three days old', async () => {
    const day = 86_400_000;
    const db = new Database(join(sb.home, 'trail.db'));
    const sid = (db.prepare('SELECT id FROM sessions WHERE name = ?').get(S) as { id: string }).id;
    const t = Date.now() - 3 * day;
    db.prepare(
      `INSERT INTO commands (session_id, command, cwd, started_at, ended_at, duration_ms, exit_code, output, output_bytes)
       VALUES (?, 'make migrate', '/srv/app', ?, ?, 1200, 1, 'applying 0042_add_index\nerror: relation "widgets" already exists', 80)`,
    ).run(sid, t, t + 1200);
    db.close();
    const hits = await sb.search<Cmd>(['widgets']);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].command, 'make migrate');
    assert.equal((await sb.search<Cmd>(['widgets', '--since', '4d', '--until', '2d'])).length, 1);
    assert.equal((await sb.search<Cmd>(['widgets', '--since', '1d'])).length, 0);
    assert.equal((await sb.search<Cmd>(['widgets', '--until', 'yesterday'])).length, 1);
  });

  test('log shows the timeline in text: command, status, cwd', async () => {
    const r = await sb.trail(['log', S]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`in ${sb.userHome}`));
    assert.match(r.stdout, /ls \/does-not-exist +exit 2/);
    assert.match(r.stdout, /sleep 30 +exit 130/);
  });
});

describe('bash: every form of command line is recorded, with its real start', () => {
  const sb = new Sandbox();
  let c: PtyClient;
  const S = 'forms';
  before(async () => {
    // no HISTCONTROL: a leading space must still keep a line out of the trail
    sb.file('.bashrc', `PS1='forms$ '\nalias hi='echo ALIAS-HI'\nshout() { echo "fn:$1"; }\n`);
    c = await openSession(sb, S, 'forms$');
  });
  after(() => closeSession(sb, c));

  test('a subshell, time, a group, negation, coproc, a function and an alias each make one record', async () => {
    const cases: [string, RegExp, number | null][] = [
      ['(echo sub-only)', /^sub-only$/, 0],
      ['time (echo timed)', /timed\n\s*\nreal/, 0],
      ['{ echo grouped; false; }', /^grouped$/, 1],
      ['! false', /^$/, 0],
      ['coproc cat', /^\[1\] \d+$/, 0],
      ['shout there', /^fn:there$/, 0],
      ['hi', /^ALIAS-HI$/, 0],
    ];
    for (const [line, out, code] of cases) {
      const r = await run(sb, c, S, line + '\r');
      assert.equal(r.command, line);
      assert.match(r.output!, out, line);
      assert.equal(r.exitCode, code, line);
    }
    await run(sb, c, S, 'kill %1; wait\r');
  });

  test('a subshell first on the line: its time and its output count, not only what follows', async () => {
    const r = await run(sb, c, S, '(sleep 1.2; echo inner); echo outer\r');
    assert.equal(r.command, '(sleep 1.2; echo inner); echo outer');
    assert.equal(r.output, 'inner\nouter');
    assert.ok(r.durationMs >= 1100, `duration ${r.durationMs}`);
  });

  test('a comment line and a syntax error are kept as typed; empty lines are not', async () => {
    const note = await run(sb, c, S, '# remember: the cache key changed\r');
    assert.equal(note.command, '# remember: the cache key changed');
    assert.equal(note.exitCode, 0);
    const bad = await run(sb, c, S, 'echo (\r');
    assert.equal(bad.command, 'echo (');
    assert.equal(bad.exitCode, 2);
    const n = (await log(sb, S)).length;
    c.type('\r\r');
    const after = await run(sb, c, S, 'echo after-empty\r');
    assert.equal((await log(sb, S)).length, n + 1);
    assert.equal(after.command, 'echo after-empty');
  });

  test('a leading space keeps the line and its output out, whatever HISTCONTROL says; bash history keeps it as the user set', async () => {
    await promptReady(c);
    c.type(' (echo quiet-sub)\r');
    c.type(' echo quiet-plain\r');
    const r = await run(sb, c, S, 'echo loud\r', false);
    const all = await log(sb, S);
    assert.ok(!all.some((x) => x.command.includes('quiet')), JSON.stringify(all.map((x) => x.command)));
    assert.equal(r.command, 'echo loud');
    assert.equal((await sb.json<Cmd>(['show', String(r.id), '--json'])).output, 'loud');
    // without ignorespace, bash's own history still has them
    const h = await run(sb, c, S, 'history 4\r');
    assert.match(h.output!, / echo quiet-plain/);
  });

  test('a command line over 64 KiB is recorded as head and tail, with its full length', async () => {
    const line = ': ' + 'x y '.repeat(17_500) + 'END'; // 70,005 characters, 35,000 of them escaped as \\x20
    const r = await run(sb, c, S, line + '\r');
    assert.equal(r.commandBytes, line.length);
    assert.ok(r.command.startsWith(': x y x y '), r.command.slice(0, 20));
    assert.ok(r.command.endsWith('x y END'), r.command.slice(-20));
    assert.match(r.command, / … \[70005 bytes in all: head and tail kept\] … /);
    assert.equal(r.exitCode, 0);
  });

  test('records of one terminal come in the shell\'s order, with times that never go backwards', async () => {
    await promptReady(c);
    const before = (await log(sb, S)).length;
    c.type('for i in $(seq 1 30); do echo "fast-$i"; done\r');
    await run(sb, c, S, Array.from({ length: 30 }, (_, i) => `echo c-${i}\r`).join(''), false);
    const l = (await log(sb, S)).slice(before + 1);
    const cs = l.filter((x) => /^echo c-\d+$/.test(x.command));
    assert.equal(cs.length, 30);
    cs.forEach((x, i) => assert.equal(x.command, `echo c-${i}`));
    for (let i = 1; i < l.length; i++) {
      assert.ok(l[i].startedAt >= l[i - 1].startedAt, 'start times never go backwards');
      assert.ok(l[i].seq! > l[i - 1].seq!, 'the shell\'s sequence grows');
    }
  });
});

describe('bash: HISTCONTROL=ignoreboth', () => {
  test('a leading-space line leaves bash history as the user asked, repeats are still recorded', async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', `PS1='ib$ '\nHISTCONTROL=ignoreboth\n`);
    const c = await openSession(sb, 'ib', 'ib$');
    try {
      await run(sb, c, 'ib', '(echo twice)\r');
      const again = await run(sb, c, 'ib', '(echo twice)\r');
      assert.equal(again.command, '(echo twice)');
      await promptReady(c);
      c.type(' (echo hidden-sub)\r');
      const h = await run(sb, c, 'ib', 'history 3; echo "hc=$HISTCONTROL"\r', false);
      assert.doesNotMatch(h.output!, /hidden-sub\)/, 'ignorespace still keeps it out of history');
      assert.match(h.output!, /hc=ignoreboth$/, 'the user sees their own HISTCONTROL');
      assert.equal((await log(sb, 'ib')).filter((x) => x.command.includes('hidden')).length, 0);
      assert.equal((await log(sb, 'ib')).filter((x) => x.command === '(echo twice)').length, 2);
    } finally {
      await closeSession(sb, c);
    }
  });

  test('exec ends the record when the terminal ends', async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', `PS1='ex$ '\n`);
    const c = await openSession(sb, 'ex', 'ex$');
    try {
      await promptReady(c);
      c.type('exec sleep 0.3\r');
      const r = await eventually(async () => (await log(sb, 'ex')).find((x) => x.command === 'exec sleep 0.3' && done(x)), 'the exec record');
      assert.equal(r.endReason, 'terminal ended');
      assert.ok(r.durationMs >= 250, `duration ${r.durationMs}`);
    } finally {
      c.kill();
      await sb.cleanup();
    }
  });
});

// PROMPT_COMMAND runs every element of an array from bash 5.1 on.
const bashVersion = execFileSync(process.env.TRAIL_TEST_BASH ?? '/bin/bash', ['-c', 'echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}']).toString().trim();
const arrays = Number(bashVersion.split('.')[0]) * 100 + Number(bashVersion.split('.')[1]) >= 501;

describe('bash with PROMPT_COMMAND as an array', () => {
  test('the array is kept and commands are recorded, repeated ones under ignoredups too', { skip: !arrays && `bash ${bashVersion} runs only the first element` }, async () => {
    const sb = new Sandbox();
    sb.file('.bashrc', `PS1='arr$ '\nHISTCONTROL=ignoreboth\nPROMPT_COMMAND=('__a=$((__a+1))' '__b=x')\n`);
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'arr', '-d', '--dir', sb.userHome]);
      const c = sb.attach(['attach', 'arr']);
      await c.waitFor('arr$');
      const r = await run(sb, c, 'arr', 'echo "a=$__a b=$__b"\r');
      assert.equal(r.command, 'echo "a=$__a b=$__b"');
      assert.match(r.output!, /a=\d+ b=x/);
      // ignoredups keeps the second one out of history, not out of the trail
      const again = await run(sb, c, 'arr', 'echo "a=$__a b=$__b"\r');
      assert.notEqual(again.id, r.id);
      assert.equal(again.command, r.command);
      c.type('\x1c');
      await c.left();
    } finally {
      await sb.cleanup();
    }
  });
});

for (const shell of ['zsh', 'fish'] as const) {
  describe(shell, () => {
    const sb = new Sandbox({ SHELL: `/usr/bin/${shell}` });
    let c: PtyClient;
    const S = shell;
    before(async () => {
      if (shell === 'zsh') sb.file('.zshrc', "PS1='zsh-prompt %~ %# '\nsetopt hist_ignore_space\nHISTFILE=~/.zsh_history\nSAVEHIST=100\nHISTSIZE=100\nsetopt inc_append_history\n");
      else {
        mkdirSync(join(sb.userHome, '.config', 'fish'), { recursive: true });
        sb.file('.config/fish/config.fish', "set -g fish_greeting\nfunction fish_prompt\n  echo -n 'fish-prompt '(prompt_pwd)' > '\nend\n");
      }
      c = await openSession(sb, S, `${shell}-prompt`);
    });
    after(() => closeSession(sb, c));

    test('pipelines, exit codes, cwd and the custom prompt', async () => {
      const r = await run(sb, c, S, 'echo "x;y" | tr a-z A-Z\r');
      assert.equal(r.command, 'echo "x;y" | tr a-z A-Z');
      assert.equal(r.output, 'X;Y');
      assert.equal(r.exitCode, 0);
      mkdirSync(join(sb.userHome, 'sub'), { recursive: true });
      await run(sb, c, S, 'cd sub\r');
      const f = await run(sb, c, S, 'false\r');
      assert.equal(f.exitCode, 1);
      assert.equal(f.cwd, join(sb.userHome, 'sub'));
      assert.match(await c.screen(), new RegExp(`${shell}-prompt`));
    });

    test("only the command's output is kept and counted: no prompt filler (zsh PROMPT_SP), no mark of ours", async () => {
      const f = await run(sb, c, S, 'false\r');
      assert.equal(f.outputBytes, 0);
      assert.equal(f.output, '');
      const p = await run(sb, c, S, 'printf abc\r');
      assert.equal(p.output, 'abc');
      assert.equal(p.outputBytes, 3);
      const raw = await sb.json<Cmd>(['show', String(p.id), '--json', '--raw']);
      assert.equal(raw.raw ?? 'abc', 'abc');
    });

    test("the user's own environment is left as it was: no ZDOTDIR of ours, history file theirs, no nonce", async () => {
      const keys = shell === 'zsh' ? 'echo "zd=${ZDOTDIR-unset} hf=$HISTFILE n=${TRAIL_NONCE-none}"\r' : 'echo "n=$TRAIL_NONCE" (set -q TRAIL_NONCE; and echo leaked; or echo none)\r';
      const r = await run(sb, c, S, keys);
      if (shell === 'zsh') assert.equal(r.output, `zd=unset hf=${sb.userHome}/.zsh_history n=none`);
      else assert.equal(r.output, 'n= none');
    });

    test('multi-line commands are kept whole', async () => {
      const keys = shell === 'zsh' ? 'for i in 1 2; do\recho "n=$i"\rdone\r' : 'for i in 1 2\recho "n=$i"\rend\r';
      const r = await run(sb, c, S, keys);
      assert.equal(r.command.split('\n').length, 3);
      assert.equal(r.output, 'n=1\nn=2');
    });

    test('Ctrl-C of a running command records its interruption; Enter at the prompt records nothing', async () => {
      const r = await interrupted(sb, c, S);
      assert.equal(r.command, 'sleep 30');
      assert.equal(r.exitCode, 130);
      const n = await settle(sb, S);
      c.type('\r');
      c.type('\r');
      assert.equal(await settle(sb, S), n);
    });

    test('a leading space keeps a command out of the trail', async () => {
      const n = await settle(sb, S);
      c.type(' echo quiet-one\r');
      await c.waitFor('quiet-one\n');
      assert.equal(await settle(sb, S), n);
    });
  });
}

describe('zsh without hist_ignore_space', () => {
  test('a leading space still keeps a command and its output out of the trail', async () => {
    const sb = new Sandbox({ SHELL: '/usr/bin/zsh' });
    sb.file('.zshrc', "PS1='zl> '\nunsetopt hist_ignore_space\n");
    let c: PtyClient | null = null;
    try {
      c = await openSession(sb, 'zl', 'zl>');
      await promptReady(c);
      c.type(' echo zsh-quiet\r');
      const r = await run(sb, c, 'zl', 'echo zsh-loud\r', false);
      assert.equal(r.command, 'echo zsh-loud');
      assert.ok(!(await log(sb, 'zl')).some((x) => x.command.includes('quiet')));
    } finally {
      if (c) await closeSession(sb, c);
      else await sb.cleanup();
    }
  });
});

describe('a shell named as the command', () => {
  test('`trail new NAME -- zsh` gets the integration, as $SHELL would', async () => {
    const sb = new Sandbox();
    sb.file('.zshrc', "PS1='named> '\n");
    let c: PtyClient | null = null;
    try {
      await sb.startDaemon();
      const n = await sb.trail(['new', 'named', '-d', '--dir', sb.userHome, '--', 'zsh']);
      assert.equal(n.code, 0, n.stderr);
      c = sb.attach(['attach', 'named']);
      await c.waitFor('named>');
      const r = await run(sb, c, 'named', 'echo via-named-zsh\r');
      assert.equal(r.command, 'echo via-named-zsh');
      assert.doesNotMatch(c.raw, /no trail integration/);
      c.type('\x1c');
      await c.left();
    } finally {
      c?.kill();
      await sb.cleanup();
    }
  });
});

describe('other shells', () => {
  test("OSC 133 and OSC 7 from a shell trail did not set up (a user's own prompt integration) are recorded", async () => {
    const sb = new Sandbox();
    // What a starship- or fish-4-style setup emits: 133 A/B around the prompt, C before output, D with the status, 7 for cwd.
    const rc = sb.file(
      'rc133',
      [
        "PS1='\\[\\e]133;A\\a\\]own> \\[\\e]133;B\\a\\]'",
        "PS0='\\e]133;C\\a'",
        'PROMPT_COMMAND=\'printf "\\e]133;D;%s\\a\\e]7;file://$HOSTNAME$PWD\\a" "$?"\'',
      ].join('\n') + '\n',
    );
    try {
      await sb.startDaemon();
      mkdirSync(join(sb.userHome, 'elsewhere'));
      await sb.trail(['new', 'own', '-d', '--dir', sb.userHome, '--', 'bash', '--rcfile', rc, '-i']);
      const c = sb.attach(['attach', 'own']);
      await c.waitFor('own>');
      c.type('cd elsewhere\r');
      await c.waitFor(/own> .*\n.*own> /s);
      const r = await run(sb, c, 'own', 'ls /nonexistent-dir-133\r', false);
      assert.equal(r.command, 'ls /nonexistent-dir-133');
      assert.equal(r.exitCode, 2);
      assert.equal(r.cwd, join(sb.userHome, 'elsewhere'));
      assert.match(r.output!, /No such file or directory/);
      c.type('\x1c');
      await c.left();
    } finally {
      await sb.cleanup();
    }
  });

  test('a shell without integration still gets a terminal, without records, and trail says so', async () => {
    const sb = new Sandbox({ SHELL: '/bin/sh' });
    try {
      await sb.startDaemon();
      await sb.trail(['new', 'plain', '-d', '--dir', sb.userHome]);
      const c = sb.attach(['attach', 'plain']);
      await sleep(300);
      c.type('echo plain-$((2+3))\r');
      await c.waitFor('plain-5');
      c.type('\x1c');
      await c.left();
      assert.match(c.raw, /has no trail integration/);
      assert.equal((await log(sb, 'plain')).length, 0);
    } finally {
      await sb.cleanup();
    }
  });
});
