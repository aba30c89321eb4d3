// The rule checker against the ways deny-lists of terminal MCP servers have
// been bypassed (DesktopCommander's issues and their kin): each must be seen
// as what it runs, or sent to the person when the text cannot tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULES, PROTECTED_RULES, analyse, judge, type Rule } from './shell-check.js';

const verdict = (line: string, rules: Rule[] = DEFAULT_RULES) => judge(line, rules).action;

test('plain commands pass; the defaults confirm what people regret', () => {
  for (const ok of ['ls -la', 'npm test', 'git push', 'git status', 'rm build.log', 'echo hello > out.txt', 'cat a | grep b | wc -l', 'git push origin main', 'grep -rf patterns.txt .', 'make -j4 && ./run']) assert.equal(verdict(ok), 'allow', ok);
  for (const bad of ['rm -rf build', 'git push --force', 'git push -f origin main', 'git reset --hard HEAD~1', 'kubectl delete pod x', 'terraform destroy', 'psql -c "DROP TABLE users"', 'git clean -fdx']) assert.equal(verdict(bad), 'confirm', bad);
});

test('every simple command is checked: lists, pipelines, subshells, groups, substitutions', () => {
  for (const line of [
    'true; rm -rf /tmp/x',
    'true && rm -rf /tmp/x',
    'false || rm -rf /tmp/x',
    'echo x | rm -rf /tmp/x',
    '(cd / && rm -rf tmp/x)',
    '{ rm -rf /tmp/x; }',
    'echo $(rm -rf /tmp/x)',
    'echo `rm -rf /tmp/x`',
    'diff <(rm -rf /tmp/x) /dev/null',
    'tee >(rm -rf /tmp/x) < /dev/null',
    'echo "$(rm -rf /tmp/x)"',
    'echo $((1 + $(rm -rf /tmp/x)))',
    'echo ${X:-$(rm -rf /tmp/x)}',
    'if true; then rm -rf /tmp/x; fi',
    'for f in a b; do rm -rf $f; done',
    'f() { rm -rf /tmp/x; }; f',
    'true & rm -rf /tmp/x',
  ])
    assert.equal(verdict(line), 'confirm', line);
});

test('quotes, escapes and paths are removed before matching', () => {
  for (const line of ["'r'm -rf x", '"rm" -rf x', '\\rm -rf x', 'r\\m -rf x', "$'\\x72\\x6d' -rf x", "$'\\162m' -rf x", '/bin/rm -rf x', '/usr/bin/../bin/rm -rf x', 'rm -r -f x', 'rm -fr x', 'rm -Rf x', 'rm --recursive --force x', 'rm "-rf" x', "rm '-r''f' x", 'rm>/dev/null -rf x', '2>/dev/null rm -rf x'])
    assert.equal(verdict(line), 'confirm', line);
});

test('wrappers and shells that run another command are unwrapped', () => {
  for (const line of [
    'sudo rm -rf x',
    'sudo -u root rm -rf x',
    'env rm -rf x',
    'env -i PATH=/bin rm -rf x',
    "env -S 'rm -rf x'",
    'X=1 rm -rf x',
    'command rm -rf x',
    'exec rm -rf x',
    'nice -n 5 rm -rf x',
    'nohup rm -rf x',
    'timeout 5 rm -rf x',
    'time rm -rf x',
    'xargs rm -rf < list',
    'find . -name "*.o" -exec rm -rf {} \\;',
    "sh -c 'rm -rf x'",
    'bash -c "rm -rf x"',
    "bash -lc 'cd /; rm -rf x'",
    "sh -c \"sh -c 'rm -rf x'\"",
    "eval 'rm -rf x'",
    'eval rm -rf x',
    "ssh host 'rm -rf x'",
    "watch -n 1 'rm -rf x'",
    "busybox rm -rf x",
    "flock /tmp/l -c 'rm -rf x'",
    "git -c alias.nuke='!rm -rf x' nuke",
    "alias ll='rm -rf x'",
    'git push origin +main',
    'git push --force-with-lease',
    'git -C repo push -f',
  ])
    assert.equal(verdict(line), 'confirm', line);
});

test('what the text cannot show goes to the person', () => {
  for (const line of [
    '$(echo rm) -rf x',
    '`echo rm` -rf x',
    '$CMD -rf x',
    '${RM} -rf x',
    '{rm,-rf,x}',
    '/bin/r? -rf x',
    'rm $FLAGS x',
    'xargs rm',
    'echo rm -rf x | sh',
    'echo rm -rf x | bash',
    'bash < script',
    "sh -c \"$CMD\"",
    'eval "$CMD"',
    "python3 -c \"import os; os.system('rm -rf x')\"",
    "node -e \"require('child_process').execSync('rm -rf x')\"",
    "perl -e 'system(\"rm -rf x\")'",
    "echo 'unclosed",
  ]) {
    const v = judge(line, DEFAULT_RULES);
    assert.equal(v.action, 'confirm', `${line}: ${v.reasons.join('; ')}`);
  }
  // Without a rule that could apply, nothing needs the person.
  assert.equal(verdict('$CMD -rf x', []), 'allow');
});

test('deny wins over confirm; allow covers a confirm rule, never a deny', () => {
  const rules: Rule[] = [...DEFAULT_RULES, { action: 'deny', pattern: 'git push' }, { action: 'allow', pattern: 'rm -rf node_modules' }];
  assert.equal(verdict('git push origin main', rules), 'deny');
  assert.equal(verdict("sh -c 'git push'", rules), 'deny');
  assert.equal(verdict('rm -rf node_modules', rules), 'allow');
  assert.equal(verdict('rm -rf src', rules), 'confirm');
  assert.equal(verdict('ls; rm -rf node_modules; rm -rf src', rules), 'confirm');
  assert.equal(verdict('git status', rules), 'allow');
  const why = judge('true && /usr/bin/git push', rules);
  assert.equal(why.action, 'deny');
  assert.match(why.reasons[0], /deny rule "git push" matches `git push`/);
});

test('the parse keeps words as bash would give them', () => {
  const { runs } = analyse(`FOO=1 sudo -u me env A=b "/usr/bin/my prog" 'a b' $'c\\td' "e$HOME" >log 2>&1`);
  // The chain of wrappers to the program (every later word is also tried as where a command starts: a wrapper's options are not all known).
  const progs = runs.map((r) => r.program);
  assert.ok(progs.indexOf('sudo') === 0 && progs.indexOf('sudo') < progs.indexOf('env') && progs.indexOf('env') < progs.indexOf('my prog'), progs.join(', '));
  const last = runs.find((r) => r.program === 'my prog')!;
  assert.deepEqual(last.args.map((a) => [a.text, a.literal]), [['a b', true], ['c\td', true], ['e', false]]);
});

test("the ways a new user's adversarial agent found around the first version (session 8), each seen or sent to the person", () => {
  const rules: Rule[] = [...DEFAULT_RULES, { action: 'deny', pattern: 'curl' }];
  for (const line of [
    'function h { curl -s -o /tmp/x file:///etc/hostname; }; h',
    'function h { rm -rf /tmp/x; }; h',
    "bash -c -- 'curl -s file:///etc/hostname'",
    "env -S'rm -rf /tmp/x'",
    "env '--split-string=rm -rf /tmp/x'",
    'echo curl -s -o /tmp/x file:///etc/hostname | xargs nohup',
    'echo curl -s -o /tmp/x file:///etc/hostname | xargs env',
    'taskset 1 rm -rf /tmp/x',
    'chrt -o 0 rm -rf /tmp/x',
    'chroot / rm -rf /tmp/x',
    'unshare rm -rf /tmp/x',
    "script -qc 'rm -rf /tmp/x' /dev/null",
    "su root -c 'rm -rf /tmp/x'",
    "tmux -L evil new -d 'rm -rf /tmp/x'",
    'source <(echo rm -rf /tmp/x)',
    '. <(echo curl file:///etc/hostname)',
    'bash <(echo rm -rf /tmp/x)',
    "bash /dev/stdin <<< 'rm -rf /tmp/x'",
    "echo 'rm -rf /tmp/x' | bash /dev/stdin",
    "make -f <(printf 'all:\\n\\trm -rf /tmp/x\\n')",
    `perl -we 'system("curl file:///etc/hostname")'`,
    `python3 -Ic "import os; os.system('rm -rf /tmp/x')"`,
    `python3 <<< "import os; os.system('rm -rf /tmp/x')"`,
    "trap 'curl file:///etc/hostname; trap - DEBUG' DEBUG",
    "PS1='$(rm -rf /tmp/x)\\$ '",
    "PROMPT_COMMAND='rm -rf /tmp/x'",
    "export PROMPT_COMMAND='rm -rf /tmp/x'",
    `bind -x '"\\C-t": curl file:///etc/hostname'`,
    "alias r=rm",
    "git config alias.zz '!rm -rf /tmp/x'",
    'echo curl -s file:///etc/hostname; !!:1-5',
    '!!',
    '^echo ^',
    "fc -s 'echo rm=rm' echo",
    'cu\\',
  ]) {
    const v = judge(line, rules);
    assert.notEqual(v.action, 'allow', `${line}: ${v.reasons.join('; ')}`);
  }
  // alias r=rm is checked as the line "rm": allowed on its own, but then "r -rf" is a program the text cannot tie to rm.
  assert.equal(judge("alias r='rm -rf'", rules).action, 'confirm');
  // Plain commands stay plain.
  for (const ok of ['echo "hello world!"', "printf 'a!b'", 'git log --oneline', 'ls -la | sort', 'function build { make -j4; }; build']) assert.equal(judge(ok, rules).action, 'allow', ok);
});

test("trail's own boundary: an agent cannot approve its own commands, change its policy, or forget or pause the trail, however it runs trail", () => {
  const rules: Rule[] = [...PROTECTED_RULES, ...DEFAULT_RULES, { action: 'allow', pattern: 'trail approve' }];
  for (const line of [
    'trail approve 5',
    'trail deny 5',
    'trail policy proj run',
    "trail policy proj --allow 'rm -rf'",
    'trail token create me --level run',
    'trail forget --since 1h',
    'trail off',
    'trail daemon stop --force',
    'env -u TRAIL_ACTOR trail approve 5',
    'TRAIL_ACTOR=cli:me trail approve 5',
    '/tmp/x/bin/trail approve 5',
    'node /tmp/x/bin/trail.cjs approve 5',
    'npx trail approve 5',
    "sh -c 'trail approve 5'",
    "npx -c 'trail approve 5'",
  ])
    assert.equal(judge(line, rules).action, 'deny', line);
  assert.equal(judge('sqlite3 ~/.local/state/trail/trail.db "delete from approvals"', rules).action, 'confirm');
  assert.equal(judge('sqlite3 ~/.local/state/trail/trail.logs.db "delete from service_chunks"', rules).action, 'confirm');
  for (const ok of ['trail log', 'trail show 3', 'trail daemon status', 'git commit -m "trail off by one"', 'grep -rn trail src']) assert.equal(judge(ok, rules).action, 'allow', ok);
});

test('commands hidden in option values and configuration are seen', () => {
  for (const line of [
    "git -c core.pager='rm -rf /tmp/x' log",
    "git -c core.sshCommand='rm -rf /tmp/x' fetch",
    "git config core.pager 'rm -rf /tmp/x'",
    "git -c core.hooksPath=/tmp/h commit -m x",
    'GIT_PAGER="rm -rf /tmp/x" git log',
    "PAGER='rm -rf /tmp/x' man ls",
    "tar --to-command='rm -rf /tmp/x' -xf a.tar",
    "tar -I 'rm -rf /tmp/x' -cf a.tar .",
    "rsync -e 'rm -rf /tmp/x' a b:",
    "zip -TT 'rm -rf /tmp/x' a.zip f",
    "ssh -o ProxyCommand='rm -rf /tmp/x' host",
    "ssh -oProxyCommand='rm -rf /tmp/x' host",
    "make --eval='$(shell rm -rf /tmp/x)'",
    'git bisect run rm -rf /tmp/x',
    "npm exec -- rm -rf /tmp/x",
    "npm exec -c 'rm -rf /tmp/x'",
  ]) {
    const v = judge(line, DEFAULT_RULES);
    assert.equal(v.action, 'confirm', `${line}: ${v.reasons.join('; ')}`);
  }
  for (const ok of ['git -c color.ui=always log', "git config user.name 'A B'", 'tar -xf a.tar', 'ssh -o BatchMode=yes host true', 'npm exec -- tsc']) assert.equal(judge(ok, DEFAULT_RULES).action, 'allow', ok);
});

test('the second adversary pass (session 8): each seen or sent to the person', () => {
  const rules: Rule[] = [...PROTECTED_RULES, ...DEFAULT_RULES, { action: 'deny', pattern: 'curl' }];
  for (const line of [
    "$'rm\\0x' -rf /tmp/v",
    "$'curl\\0' -s file:///etc/hostname",
    '{x}>/dev/null rm -rf /tmp/v',
    '{x}</dev/null curl -s file:///etc/hostname',
    'coproc X { rm -rf /tmp/v; }',
    "echo ${x:-'}'} ; rm -rf /tmp/v ; echo \\'",
    "x='a[$(rm -rf /tmp/v)]'; echo $((x))",
    "x='$(rm -rf /tmp/v)'; echo ${x@P}",
    "mapfile -t -C 'rm -rf /tmp/v #' -c 1 a < /etc/hostname",
    "trap -- 'rm -rf /tmp/v; trap - DEBUG' DEBUG",
    "PROMPT_COMMAND=('rm -rf /tmp/v')",
    "read -r PROMPT_COMMAND <<< 'rm -rf /tmp/v'",
    "printf -v PROMPT_COMMAND 'rm -rf %s' /tmp/v",
    'declare -n p=PROMPT_COMMAND; p=x',
    `bind '"\\C-t": "rm -rf /tmp/v\\n"'`,
    "complete -C 'rm -rf /tmp/v' lsx",
    'alias e=eval',
    'hash -p /bin/rm lsq; lsq -rf /tmp/v',
    'ln -sf /bin/rm /tmp/del',
    "env 'BASH_FUNC_ls%%=() { rm -rf /tmp/v; }' bash -c ls",
    "echo 'rm -rf /tmp/v' | xargs -I{} sh -c '{}'",
    'setpriv --pdeathsig KILL rm -rf /tmp/v',
    'unshare -w /tmp rm -rf /tmp/v',
    'ionice --class 3 rm -rf /tmp/v',
    'stdbuf --output L rm -rf /tmp/v',
    '/usr/bin/time --output /dev/null rm -rf /tmp/v',
    'strace -qq -I 1 -o /dev/null rm -rf /tmp/v',
    'echo /tmp/v | xargs --max-chars 1000 rm -rf',
    "sg root 'rm -rf /tmp/v'",
    "su root --session-command='rm -rf /tmp/v'",
    'su -s /bin/rm root -- -rf /tmp/v',
    'runuser -u root rm -rf /tmp/v',
    "sqlite3 :memory: '.shell rm -rf /tmp/v'",
    "printf '!rm -rf /tmp/v\\nq\\n' | ed",
    "tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec='rm -rf /tmp/v' /etc/hostname",
    "strace -o '|rm -rf /tmp/v' true",
  ]) {
    const v = judge(line, rules);
    assert.notEqual(v.action, 'allow', `${line}: ${v.reasons.join('; ')}`);
  }
});
