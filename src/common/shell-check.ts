// What a command line an agent wants to run would run, for the person's rules
// (trail policy: allow, confirm, deny). Deny-lists that match the text are
// bypassed with `$()`, backticks, `sh -c '…'`, quotes (`'r'm`, `\rm`,
// `$'\x72m'`), paths (`/bin/rm`), wrappers (`sudo`, `env`, `xargs`,
// `find -exec`) and lists (`;`, `&&`, `|`). So the line is parsed as bash
// would read it: every simple command in pipelines, lists, subshells, command
// and process substitutions, and the strings given to `sh -c`, `eval`, `ssh`
// and `watch`, after quote removal and with the program's path reduced to its
// name. What cannot be known from the text (a program named by a variable, a
// glob or a brace expansion; arguments a variable or xargs supplies; a shell
// reading its commands from stdin; inline code of python, perl, node… that
// names a ruled program) is "unsure", and an unsure command under a deny or
// confirm rule goes to the person instead of through.
//
// A person's /REGEX/ runs on RE2JS (linear time): the text it is matched
// against is the agent's, and must not be able to stall the daemon.
//
// Written by hand: no maintained JavaScript bash parser gives quote-removed
// words with a flag for what is expanded at run time (bash-parser is
// unmaintained since 2017, and misses $'…' and process substitution).

/** A word of a simple command: its text after quote removal; literal when nothing in it is expanded at run time. */
export type Word = { text: string; literal: boolean };

/** A simple command: its words, assignments and redirections left out. */
export type SimpleCommand = { words: Word[]; stdin?: boolean };

export type Parsed = { commands: SimpleCommand[]; unsure: string[] };

/** A rule's pattern: `PROGRAM [ARG…]` matched on parsed commands, or `/REGEX/` matched on the text, case-insensitive. */
import { RE2JS } from 're2js';

export type Rule = { action: 'allow' | 'confirm' | 'deny'; pattern: string };

export type Verdict = { action: 'allow' | 'confirm' | 'deny'; reasons: string[] };

export { DEFAULT_RULES, PROTECTED_RULES } from './default-rules.js';

const OPERATORS = ['&&', '||', ';;', '|&', ';', '|', '&', '(', ')', '\n'];

class Lexer {
  i = 0;
  unsure: string[] = [];
  commands: SimpleCommand[] = [];
  /** Single-quoted text that holds $(…) or backticks: code kept for later. */
  held: string[] = [];
  private defined = false;
  constructor(
    private s: string,
    private depth: number,
  ) {}

  /** Parses the whole text into simple commands (nested ones included). */
  run(): void {
    let words: Word[] = [];
    // Whether the command's input is a pipe or a redirection (a shell or an interpreter then reads code from it).
    let stdin = false;
    const end = () => {
      if (words.length) this.commands.push({ words, stdin });
      words = [];
      stdin = false;
    };
    for (;;) {
      this.skipBlanks();
      if (this.i >= this.s.length) break;
      const c = this.s[this.i];
      if (c === '#') {
        // A comment runs to the end of the line.
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      const op = OPERATORS.find((o) => this.s.startsWith(o, this.i));
      if (op) {
        this.i += op.length;
        end();
        if (op === '|' || op === '|&') stdin = true;
        continue;
      }
      const redir = /^(\d*|&|\{[A-Za-z_][A-Za-z0-9_]*\})(>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)/.exec(this.s.slice(this.i));
      if (redir && !(this.s[this.i + redir[0].length] === '(' && (redir[2] === '<' || redir[2] === '>'))) {
        if (redir[2].startsWith('<') && (redir[1] === '' || redir[1] === '0')) stdin = true;
        this.i += redir[0].length;
        this.skipBlanks();
        // The target is a word (parsed for what it runs, then dropped).
        if (this.i < this.s.length && !OPERATORS.some((o) => this.s.startsWith(o, this.i))) this.word();
        continue;
      }
      words.push(this.word());
      // function NAME { …; }: the name ends the header; the body is commands of their own.
      if (words.length === 2 && words[0].literal && words[0].text === 'function') this.defined = true;
      if (this.defined) {
        this.defined = false;
        end();
      }
    }
    end();
  }

  private skipBlanks(): void {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t' || (this.s[this.i] === '\\' && this.s[this.i + 1] === '\n'))) this.i += this.s[this.i] === '\\' ? 2 : 1;
  }

  /** A nested command text ($(…), `…`, <(…)): its simple commands join this line's. */
  private nested(text: string): void {
    if (this.depth > 8) {
      this.unsure.push('nested more than 8 deep');
      return;
    }
    const p = parseLine(text, this.depth + 1);
    this.commands.push(...p.commands);
    this.unsure.push(...p.unsure);
  }

  /** Text up to the parenthesis that closes one opened just before i, quotes and nesting respected. */
  private balanced(): string {
    const start = this.i;
    let depth = 1;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === "'") {
        const e = this.s.indexOf("'", this.i + 1);
        this.i = e < 0 ? this.s.length : e + 1;
      } else if (c === '"') this.skipDouble();
      else if (c === '`') {
        const e = this.s.indexOf('`', this.i + 1);
        this.i = e < 0 ? this.s.length : e + 1;
      } else {
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) {
          this.i++;
          return this.s.slice(start, this.i - 1);
        }
        this.i++;
      }
    }
    this.unsure.push('a parenthesis is not closed');
    return this.s.slice(start);
  }

  private skipDouble(): void {
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
  }

  /** `$…` at i: what it stands for is known only for $'…' (returned), else null (expanded at run time). */
  private dollar(inDouble: boolean): string | null {
    const n = this.s[this.i + 1];
    if (n === "'" && !inDouble) {
      this.i += 2;
      let out = '';
      while (this.i < this.s.length && this.s[this.i] !== "'") {
        if (this.s[this.i] === '\\') {
          const [ch, len] = ansiEscape(this.s, this.i + 1);
          out += ch;
          this.i += 1 + len;
        } else out += this.s[this.i++];
      }
      if (this.i >= this.s.length) this.unsure.push("a $'…' quote is not closed");
      this.i++;
      // bash cuts the word at a NUL ($'rm\0x' is rm).
      const nul = out.indexOf('\0');
      return nul >= 0 ? out.slice(0, nul) : out;
    }
    if (n === '(') {
      if (this.s[this.i + 2] === '(') {
        // Arithmetic: its value is a number; what it may run is in $(…) inside, parsed too.
        this.i += 3;
        this.nested(this.balanced().replace(/\)$/, ''));
        this.i++;
        return null;
      }
      this.i += 2;
      this.nested(this.balanced());
      return null;
    }
    if (n === '{') {
      this.i += 2;
      let depth = 1;
      const start = this.i;
      // Quotes inside ${…} hide braces (${x:-'}'}), as in bash.
      while (this.i < this.s.length && depth) {
        const ch = this.s[this.i];
        if (ch === '\\') this.i++;
        else if (ch === "'") {
          const e = this.s.indexOf("'", this.i + 1);
          this.i = e < 0 ? this.s.length - 1 : e;
        } else if (ch === '"') {
          this.skipDouble();
          this.i--;
        } else if (ch === '{') depth++;
        else if (ch === '}') depth--;
        this.i++;
      }
      if (depth) this.unsure.push('a ${ is not closed');
      // ${x:-$(cmd)} runs cmd; ${x@P} expands x as a prompt (its $(…) run).
      const inner = this.s.slice(start, this.i - 1);
      if (/@P$/.test(inner)) this.unsure.push('${…@P} runs what a variable holds');
      if (inner.includes('$(') || inner.includes('`')) this.nested(inner.slice(inner.search(/\$\(|`/)));
      return null;
    }
    if (n !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(n)) {
      this.i += 2;
      if (/[A-Za-z_]/.test(n)) while (this.i < this.s.length && /[A-Za-z0-9_]/.test(this.s[this.i])) this.i++;
      return null;
    }
    if (n === '"' && !inDouble) {
      this.i++;
      return '';
    }
    this.i++;
    return '$';
  }

  /** $… or `…` at i: the text it stands for, or null when it is known only at run time. */
  private expansion(inDouble: boolean): string | null {
    if (this.s[this.i] !== '`') return this.dollar(inDouble);
    this.backtick();
    return null;
  }

  private backtick(): void {
    const start = ++this.i;
    while (this.i < this.s.length && this.s[this.i] !== '`') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.unsure.push('a backquote is not closed');
    this.nested(this.s.slice(start, this.i).replace(/\\([`\\$])/g, '$1'));
    this.i++;
  }

  private word(): Word {
    let text = '';
    let literal = true;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || OPERATORS.some((o) => o !== '(' && this.s.startsWith(o, this.i))) break;
      if ((c === '<' || c === '>') && this.s[this.i + 1] === '(') {
        // Process substitution: what it runs is parsed; the word is a file name known only then.
        this.i += 2;
        this.nested(this.balanced());
        literal = false;
        continue;
      }
      // rm>/dev/null -rf /: a redirection ends the word, as in bash.
      if (c === '<' || c === '>') break;
      if (c === '(') {
        // NAME=(…): an array assignment; its elements are kept in the word.
        if (literal && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$/.test(text)) {
          this.i++;
          text += `(${this.balanced()})`;
          continue;
        }
        // f() { …; } or a subshell's opening glued to a word: the word ends here.
        if (text === '' && literal) break;
        if (this.s[this.i + 1] === ')') {
          // f() { …; }: a function's name; its body is a command of its own.
          this.i += 2;
          this.defined = true;
        }
        break;
      }
      if (c === '\\') {
        // A backslash that ends the line: the shell waits for more, which the next line supplies.
        if (this.i + 1 >= this.s.length) this.unsure.push('the line ends with a backslash: it goes on with whatever comes next');
        if (this.s[this.i + 1] !== '\n') text += this.s[this.i + 1] ?? '';
        this.i += 2;
      } else if (c === "'") {
        const e = this.s.indexOf("'", this.i + 1);
        if (e < 0) {
          this.unsure.push('a quote is not closed');
          text += this.s.slice(this.i + 1);
          this.i = this.s.length;
        } else {
          const quoted = this.s.slice(this.i + 1, e);
          // Code kept in a string for later ($((x)) and ${x@P} run it): what it would run is not known now.
          if (/\$\(|`/.test(quoted)) this.held.push(quoted);
          text += quoted;
          this.i = e + 1;
        }
      } else if (c === '"') {
        this.i++;
        while (this.i < this.s.length && this.s[this.i] !== '"') {
          const d = this.s[this.i];
          if (d === '\\' && '$`"\\\n'.includes(this.s[this.i + 1])) {
            if (this.s[this.i + 1] !== '\n') text += this.s[this.i + 1];
            this.i += 2;
          } else if (d === '$' || d === '`') {
            const v = this.expansion(true);
            if (v === null) literal = false;
            else text += v;
          } else {
            if (d === '!' && this.i + 1 < this.s.length && !/[\s="]/.test(this.s[this.i + 1])) {
              this.unsure.push('history expansion (!) runs an earlier line');
              literal = false;
            }
            text += this.s[this.i++];
          }
        }
        if (this.i >= this.s.length) this.unsure.push('a double quote is not closed');
        this.i++;
      } else if (c === '$' || c === '`') {
        const v = this.expansion(false);
        if (v === null) literal = false;
        else text += v;
      } else {
        // Unquoted globs and brace expansions make the word something else at run time.
        if (c === '*' || c === '?' || c === '[') literal = false;
        // History expansion (!!, !$, !-2, !name) runs what an earlier line said.
        if (c === '!' && this.i + 1 < this.s.length && !/[\s=(]/.test(this.s[this.i + 1])) {
          this.unsure.push('history expansion (!) runs an earlier line');
          literal = false;
        }
        // ^old^new at the start of a line reruns the last line, changed.
        if (c === '^' && this.i === 0) this.unsure.push('^old^new reruns the last line');
        if (c === '{' && /^\{[^}\s]*(,|\.\.)[^}\s]*\}/.test(this.s.slice(this.i))) literal = false;
        text += c;
        this.i++;
      }
    }
    return { text, literal };
  }
}

/** One backslash escape of $'…' at i (after the backslash): the character and how many characters it took. */
function ansiEscape(s: string, i: number): [string, number] {
  const c = s[i];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  if (c in simple) return [simple[c], 1];
  let m: RegExpExecArray | null;
  if ((m = /^x([0-9a-fA-F]{1,2})/.exec(s.slice(i)))) return [String.fromCharCode(parseInt(m[1], 16)), m[0].length];
  if ((m = /^u([0-9a-fA-F]{1,4})/.exec(s.slice(i)))) return [String.fromCharCode(parseInt(m[1], 16)), m[0].length];
  if ((m = /^U([0-9a-fA-F]{1,8})/.exec(s.slice(i)))) return [String.fromCodePoint(Math.min(parseInt(m[1], 16), 0x10ffff)), m[0].length];
  if ((m = /^[0-7]{1,3}/.exec(s.slice(i)))) return [String.fromCharCode(parseInt(m[0], 8) & 0xff), m[0].length];
  if ((m = /^c(.)/.exec(s.slice(i)))) return [String.fromCharCode(m[1].charCodeAt(0) & 0x1f), 2];
  return ['\\' + (c ?? ''), 1];
}

/** Every simple command a line would run, as far as the text says. */
export function parseLine(line: string, depth = 0): Parsed {
  const l = new Lexer(line, depth);
  l.run();
  // Code kept in a string ('$(rm -rf x)', 'a[$(…)]') is judged as if it ran: arithmetic and prompt expansion run it later.
  for (const h of l.held) {
    if (depth > 8) break;
    const inner = parseLine(h.replace(/^[^$`]*/, ''), depth + 1);
    l.commands.push(...inner.commands);
    l.unsure.push(...inner.unsure);
  }
  return { commands: l.commands, unsure: l.unsure };
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox', 'tcsh', 'csh', 'yash', 'elvish', 'nu', 'xonsh', 'pwsh']);
/** Interpreters of other languages: code on the line is not parsed; without a script file they read code from stdin. */
const INTERPRETERS = new Set(['sqlite3', 'sqlite', 'ed', 'mysql', 'psql', 'python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'deno', 'bun', 'php', 'lua', 'luajit', 'awk', 'gawk', 'mawk', 'nawk', 'osascript', 'tclsh', 'wish', 'Rscript', 'julia', 'irb', 'pypy', 'pypy3', 'sed', 'expect', 'gdb', 'vim', 'nvim', 'vi', 'ex', 'emacs']);
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'coproc', '[[', ']]']);
// Wrappers run the command after their own options: [options that take a value].
const WRAPPERS: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-h', '-p', '-U', '-r', '-t', '-T', '-D', '-R', '--user', '--group'],
  doas: ['-u', '-C'],
  pkexec: ['--user'],
  command: [], builtin: [], exec: ['-a'], nohup: [], time: ['-f', '-o'], setsid: [], unbuffer: [], caffeinate: [], ltrace: [], 'dbus-launch': [],
  nice: ['-n', '--adjustment'], ionice: ['-c', '-n', '-p'], chrt: ['-p'], taskset: ['-p'], stdbuf: ['-i', '-o', '-e'],
  timeout: ['-s', '-k', '--signal', '--kill-after'], flock: ['-w', '-E', '--timeout', '--conflict-exit-code'], strace: ['-e', '-o', '-p', '-s'],
  xargs: ['-I', '-n', '-P', '-d', '-a', '-E', '-L', '-s', '--delimiter', '--arg-file', '--max-args', '--max-procs', '--replace'],
  chroot: ['--userspec', '--groups'], unshare: [], nsenter: ['-t', '--target'], setpriv: [], firejail: [], 'systemd-run': ['-p', '--property', '-u', '--unit'],
  runuser: ['-u', '-g'], sg: [], parallel: [], env: [], npx: ['-p', '--package', '-c'], pnpx: [], bunx: [],
};
// Wrappers that take values before the command: how many (timeout 5 CMD, taskset MASK CMD, chrt PRIO CMD, flock FILE CMD, chroot DIR CMD).
const LEADING_VALUES: Record<string, number> = { timeout: 1, taskset: 1, chrt: 1, flock: 1, chroot: 1 };
/** Programs that take a command line in an option's value. */
const COMMAND_OPTIONS: Record<string, string[]> = { npx: ['-c', '--call'], su: ['-c', '--command', '--session-command'], runuser: ['-c', '--command'], sg: ['-c'], script: ['-c', '--command'], flock: ['-c', '--command'], expect: ['-c'], screen: [], watch: [] };
/** Programs that run a command line of theirs later, or elsewhere: tmux and screen start one in another terminal. */
const ELSEWHERE = new Set(['tmux', 'screen', 'at', 'batch', 'crontab']);
/** Variables whose value is run later, by the shell itself (a prompt, a hook). */
const RUN_LATER = /^(PS[0-4]|PROMPT_COMMAND|PROMPT|RPROMPT|RPS1|BASH_ENV|ENV|PROMPT_SUBST|precmd_functions|preexec_functions|TRAPDEBUG|TRAPEXIT|GIT_SSH_COMMAND|GIT_SSH|GIT_PAGER|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_EXTERNAL_DIFF|GIT_ASKPASS|SSH_ASKPASS|PAGER|MANPAGER|EDITOR|VISUAL|LESSOPEN|LESSCLOSE|BROWSER|SHELL|RSYNC_RSH|TAR_OPTIONS)$/;
/** The same names, wherever they appear in a word (declare -n p=PROMPT_COMMAND, PROMPT_COMMAND=(…)). */
const RUN_LATER_ANYWHERE = new RegExp(`(^|[^A-Za-z0-9_])(${RUN_LATER.source.slice(2, -2)})([^A-Za-z0-9_]|$)`);
/** Programs that run another command: an alias or a symlink named after one is a way to run anything. */
const RUNNERS = new Set(['eval', 'sh', 'bash', 'zsh', 'dash', 'source', '.', 'exec', 'command', 'builtin', 'env', 'sudo', 'xargs', 'nohup', 'setsid', 'time', 'timeout', 'nice', 'python', 'python3', 'perl', 'node', 'ruby']);
/** Options whose value is a command line the program runs (tar --to-command, rsync -e, zip -TT, make --eval, …). */
const OPTION_COMMANDS: Record<string, string[]> = {
  tar: ['--to-command', '-I', '--use-compress-program', '--rsh-command', '--info-script', '-F', '--new-volume-script', '--checkpoint-action'],
  zip: ['-TT', '--unzip-command'],
  rsync: ['-e', '--rsh', '--rsync-path'],
  scp: ['-S'],
  make: ['--eval', '-E', '--shell'],
  less: ['+!'],
  man: ['-P', '--pager', '-H', '--html'],
  git: ['--exec-path'],
  ffmpeg: [],
  parallel: [],
};
/** git -c KEY=VALUE keys whose value git runs as a command. */
const GIT_COMMAND_KEYS = /^(core\.(pager|sshcommand|editor|fsmonitor|askpass|hookspath|gitproxy)|sequence\.editor|diff\.external|diff\..*\.(textconv|command)|credential\.helper|gpg\..*program|gpg\.program|filter\..*\.(clean|smudge|process)|pager\..*|merge\..*\.driver|uploadpack\.packobjectshook|alias\..*|remote\..*\.(uploadpack|receivepack)|protocol\..*|include\.path|includeif\..*)$/i;

/** A command as the program sees it: its name and arguments, after wrappers; null when the text cannot tell which program runs. */
type Invocation = { program: string; args: Word[]; argsUnknown: boolean };

/** Every program a simple command runs (wrappers and nested shells unwrapped), and what about it is unsure. */
function invocations(cmd: SimpleCommand, out: Invocation[], unsure: string[], nestedLines: string[]): void {
  let w = cmd.words;
  let argsUnknown = false;
  const nested = (what: string, v: Word | undefined) => {
    if (!v) unsure.push(`${what} without a command`);
    else if (!v.literal || argsUnknown) unsure.push(`${what} runs a command known only when it runs`);
    else nestedLines.push(v.text);
  };
  // Options a wrapper takes a value for are not all known: every later word could be where the command starts.
  const everySuffix = (ws: Word[]) => {
    for (let j = 0; j < ws.length; j++)
      if (ws[j].literal && !ws[j].text.startsWith('-')) out.push({ program: ws[j].text.replace(/^.*\//, ''), args: ws.slice(j + 1), argsUnknown });
  };
  for (;;) {
    // Assignments first: a prompt or hook variable runs its value later; a value's own $(…) was parsed already.
    while (w.length && w[0].literal && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(w[0].text)) {
      const [, name, value] = /^([A-Za-z_][A-Za-z0-9_]*)[^=]*=([\s\S]*)$/.exec(w[0].text)!;
      if (RUN_LATER.test(name)) {
        if (value.startsWith('(')) unsure.push(`${name} set to an array of commands the shell runs later`);
        else nestedLines.push(value.replace(/\\\$/g, '$'));
      }
      w = w.slice(1);
    }
    while (w.length && w[0].literal && KEYWORDS.has(w[0].text)) w = w.slice(1);
    // coproc NAME { …; }: the name is not a program.
    if (w.length > 1 && w[0].literal && w[1].literal && w[1].text === '{') w = w.slice(2);
    if (!w.length) {
      if (argsUnknown) unsure.push('xargs supplies the command to run');
      return;
    }
    const first = w[0];
    if (!first.literal) {
      unsure.push(`the program is known only when it runs (${first.text || 'an expansion'})`);
      return;
    }
    // trail run some other way is trail (node bin/trail.cjs approve 5, npx trail deny 3).
    const program = first.text.replace(/^.*\//, '').replace(/^trail\.cjs$/, 'trail');
    const args = w.slice(1);
    if ((program === 'node' || program === 'nodejs') && args[0]?.literal && /(^|\/)trail(\.cjs)?$/.test(args[0].text)) {
      w = args;
      continue;
    }
    out.push({ program, args, argsUnknown });
    // Declarations set variables too (export PS1=…; declare -x PROMPT_COMMAND=…).
    if (['export', 'declare', 'typeset', 'local', 'readonly'].includes(program))
      for (const a of args) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(a.text);
        if (m && RUN_LATER.test(m[1])) a.literal ? nestedLines.push(m[2]) : unsure.push(`${m[1]} set to a value known only when it runs`);
      }
    // trap [--] 'CMD' SIGNAL: CMD runs later.
    if (program === 'trap') {
      const t = args[0]?.text === '--' ? args[1] : args[0];
      if (t && t.text !== '-' && !t.text.startsWith('-')) nested('trap', t);
    }
    // bind -x '"\C-t": CMD' (a key runs CMD) and bind '"\C-t": "TEXT\n"' (a key types TEXT): both are judged now.
    if (program === 'bind')
      for (const a of args)
        if (/^"[^"]*"\s*:/.test(a.text)) {
          const v = a.text.replace(/^"[^"]*"\s*:\s*/, '');
          nested('bind', { text: v.replace(/^"([\s\S]*)"$/, '$1').replace(/\\[nr]/g, '; '), literal: a.literal });
        }
    // complete -C CMD / compgen -C CMD: completion runs CMD.
    if (program === 'complete' || program === 'compgen') for (let k = 0; k + 1 < args.length; k++) if (args[k].text === '-C') nested(`${program} -C`, args[k + 1]);
    // mapfile -C CALLBACK: the callback runs per line.
    if (program === 'mapfile' || program === 'readarray') for (let k = 0; k + 1 < args.length; k++) if (args[k].text === '-C') nested(`${program} -C`, args[k + 1]);
    // hash -p PATH NAME: a new name for any program.
    if (program === 'hash' && args.some((a) => a.text.startsWith('-p'))) unsure.push('hash -p gives a program another name');
    // Variables the shell runs later, set some other way (read, printf -v, declare -n, mapfile, an array).
    if (['read', 'printf', 'declare', 'typeset', 'local', 'mapfile', 'readarray', 'export', 'let', 'eval'].includes(program) && args.some((a) => RUN_LATER_ANYWHERE.test(a.text)))
      unsure.push(`${program} sets a variable the shell runs later`);
    // History re-runs what the text does not show.
    if (program === 'fc' || program === 'history' || program === 'r') unsure.push(`${program} runs commands from the history`);
    if (program === 'flock' || program === 'git') {
      // flock -c 'CMD'; git -c alias.x='!CMD' x; git config alias.x '!CMD': command lines inside an option's value.
      for (let k = 0; k + 1 < args.length; k++) {
        const v = args[k + 1];
        if (program === 'flock' && (args[k].text === '-c' || args[k].text === '--command')) nested('flock -c', v);
        if (program === 'git' && args[k].text === '-c') {
          // git -c core.pager='…' log, -c alias.x='!…' x, -c core.sshCommand=…: values git runs.
          const m = /^([^=]+)=([\s\S]*)$/.exec(v.text);
          if (m && GIT_COMMAND_KEYS.test(m[1])) {
            if (/^core\.hookspath$|^include|^protocol/i.test(m[1])) unsure.push(`git -c ${m[1]} runs what it points to`);
            else nested(`git -c ${m[1]}`, { text: m[2].replace(/^!/, ''), literal: v.literal });
          }
        }
        if (program === 'git' && args[k].text === 'config') {
          // git config KEY VALUE with a key whose value git runs later.
          const rest = args.slice(k + 1).filter((a) => !a.text.startsWith('-'));
          if (rest[0] && GIT_COMMAND_KEYS.test(rest[0].text) && rest[1]) {
            if (/^core\.hookspath$|^include|^protocol/i.test(rest[0].text)) unsure.push(`git config ${rest[0].text} runs what it points to`);
            else nested(`git config ${rest[0].text}`, { text: rest[1].text.replace(/^!/, ''), literal: rest[1].literal });
          }
        }
        if (program === 'git' && args[k].text === 'bisect' && args[k + 1]?.text === 'run') invocations({ words: args.slice(k + 2) }, out, unsure, nestedLines);
      }
    }
    if (program in OPTION_COMMANDS || ['ssh', 'scp', 'sftp', 'strace', 'ltrace'].includes(program)) {
      for (let k = 0; k < args.length; k++) {
        const t = args[k].text;
        for (const o of OPTION_COMMANDS[program] ?? []) {
          if (t === o) nested(`${program} ${o}`, args[k + 1]);
          else if (o.startsWith('--') && t.startsWith(o + '=')) nested(`${program} ${o}`, { text: t.slice(o.length + 1).replace(/^exec=/, ''), literal: args[k].literal });
          else if (!o.startsWith('--') && o.length === 2 && t.startsWith(o) && t.length > 2) nested(`${program} ${o}`, { text: t.slice(2), literal: args[k].literal });
          else if (o === '+!' && t.startsWith('+!')) nested('less +!', { text: t.slice(2), literal: args[k].literal });
        }
        // strace -o '|CMD' pipes its trace into CMD.
        if ((program === 'strace' || program === 'ltrace') && t === '-o' && /^[|!]/.test(args[k + 1]?.text ?? '')) nested(`${program} -o |`, { text: args[k + 1].text.slice(1), literal: args[k + 1].literal });
        // ssh -o ProxyCommand=…, LocalCommand, KnownHostsCommand, RemoteCommand; -oProxyCommand=… glued.
        if (program === 'ssh' || program === 'scp' || program === 'sftp') {
          const opt = t === '-o' ? args[k + 1] : t.startsWith('-o') ? { text: t.slice(2), literal: args[k].literal } : undefined;
          const m = opt && /^(ProxyCommand|LocalCommand|KnownHostsCommand|RemoteCommand|Match\s+exec)\s*[= ]\s*([\s\S]*)$/i.exec(opt.text);
          if (m) nested(`ssh ${m[1]}`, { text: m[2], literal: opt!.literal });
        }
      }
    }
    if (program === 'npm' || program === 'pnpm' || program === 'yarn') {
      // npm exec -- CMD, npm exec -c 'CMD', npm x CMD: a command of its own.
      const e = args.findIndex((a) => a.text === 'exec' || a.text === 'x' || a.text === 'dlx');
      if (e >= 0) {
        const c = args.findIndex((a, n) => n > e && (a.text === '-c' || a.text === '--call'));
        if (c >= 0) nested(`${program} exec -c`, args[c + 1]);
        else {
          const rest = args.slice(e + 1).filter((a) => a.text !== '--' && !a.text.startsWith('--package'));
          if (rest.length) invocations({ words: rest }, out, unsure, nestedLines);
        }
      }
    }
    if (program === 'alias') {
      // alias x='rm -rf /' makes x run it later: the value is checked now; an alias for a command runner (e=eval) is unsure.
      for (const a of args) {
        const m = /^[^=]+=(.*)$/s.exec(a.text);
        if (!m) continue;
        if (!a.literal) unsure.push('an alias to a command known only when it runs');
        else {
          nestedLines.push(m[1]);
          const target = m[1].trim().split(/\s+/)[0]?.replace(/^.*\//, '');
          if (target && RUNNERS.has(target)) unsure.push(`an alias for ${target} runs whatever follows it`);
        }
      }
      return;
    }
    // ln -s /bin/rm X, cp /bin/rm X: a new name for a program (judged against the rules like an alias).
    if ((program === 'ln' || program === 'cp' || program === 'install' || program === 'mv') && args.some((a) => !a.literal && !a.text.startsWith('-')))
      unsure.push(`${program} of a path known only when it runs`);
    if (program in COMMAND_OPTIONS) {
      const opts = COMMAND_OPTIONS[program];
      for (let k = 0; k < args.length; k++) {
        const t = args[k].text;
        const glued = opts.find((o) => o.startsWith('--') && t.startsWith(o + '='));
        if (glued) nested(program, { text: t.slice(glued.length + 1), literal: args[k].literal });
        else if (opts.includes(t)) nested(program, args[k + 1]);
        else if (/^-[a-zA-Z]*c$/.test(t) && opts.includes('-c')) nested(program, args[k + 1]);
      }
      if (program === 'sg' && args.filter((a) => !a.text.startsWith('-'))[1]) nested('sg', args.filter((a) => !a.text.startsWith('-'))[1]);
      if (program === 'su' || program === 'runuser' || program === 'sg' || program === 'script' || program === 'expect') {
        everySuffix(args);
        return;
      }
    }
    if (ELSEWHERE.has(program)) {
      if (args.length) unsure.push(`${program} may start a command elsewhere`);
      return;
    }
    if (program === 'env') {
      let k = 1;
      for (; k < w.length; k++) {
        const t = w[k].text;
        // env -S 'rm -rf /', -S'…', --split-string=…: a command line in one word.
        const split = /^(?:-S|--split-string=?)([\s\S]*)$/.exec(t);
        if (split) {
          const line = split[1] !== '' ? split[1] : w[k + 1]?.text;
          if (line === undefined) unsure.push('env -S without a command');
          else if (!(split[1] !== '' ? w[k].literal : w[k + 1].literal)) unsure.push('env -S runs a command known only when it runs');
          else nestedLines.push(line);
          return;
        }
        // env 'BASH_FUNC_ls%%=() { …; }' bash -c ls: a function the next bash defines.
        const fn = /^BASH_FUNC_[^=]*=([\s\S]*)$/.exec(t);
        if (fn) nested('an exported function', { text: `f${fn[1]}`, literal: w[k].literal });
        if (t === '-u' || t === '-C' || t === '--unset' || t === '--chdir') k++;
        else if (t.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) continue;
        else break;
      }
      w = w.slice(k);
      if (!w.length && argsUnknown) unsure.push('xargs supplies the command to run');
      if (!w.length) return;
      continue;
    }
    if (program in WRAPPERS) {
      const withValue = WRAPPERS[program];
      let k = 1;
      for (; k < w.length; k++) {
        const t = w[k].text;
        if (t === '--') {
          k++;
          break;
        }
        if (!t.startsWith('-') || t === '-') break;
        if (withValue.includes(t)) k++;
      }
      k += LEADING_VALUES[program] ?? 0;
      if (program === 'xargs') argsUnknown = true;
      everySuffix(w.slice(1));
      w = w.slice(k);
      continue;
    }
    if (program === 'busybox' && w.length > 1) {
      w = w.slice(1);
      continue;
    }
    if (SHELLS.has(program)) {
      const c = args.findIndex((a) => a.literal && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.text));
      if (c >= 0) {
        let script = args[c + 1];
        if (script?.text === '--') script = args[c + 2];
        nested(`${program} -c`, script);
      } else {
        const file = args.find((a) => !a.text.startsWith('-') && !a.text.startsWith('+'));
        if (!file && cmd.stdin) unsure.push(`${program} reads its commands from its input`);
        else if (file && (!file.literal || /^\/(dev|proc)\//.test(file.text))) unsure.push(`${program} runs commands from ${file.literal ? file.text : 'a file made when it runs'}`);
      }
      return;
    }
    if (program === 'source' || program === '.') {
      if (!args[0] || !args[0].literal || /^\/(dev|proc)\//.test(args[0].text)) unsure.push(`${program} runs commands from ${args[0]?.literal ? args[0].text : 'a file made when it runs'}`);
      return;
    }
    if (program === 'make' || program === 'gmake') {
      const f = args.findIndex((a) => a.text === '-f' || a.text === '--file' || a.text === '--makefile');
      if (f >= 0 && (!args[f + 1]?.literal || /^\/(dev|proc)\//.test(args[f + 1]?.text ?? ''))) unsure.push(`${program} runs a makefile made when it runs`);
      return;
    }
    if (program === 'eval' || program === 'watch' || program === 'ssh') {
      let rest = args;
      if (program === 'watch') rest = skipOptions(args, ['-n', '-d', '--interval', '-c']);
      if (program === 'ssh') {
        rest = skipOptions(args, ['-p', '-i', '-l', '-o', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-e', '-I', '-m', '-O', '-Q', '-S', '-W', '-w', '-B']);
        rest = rest.slice(1); // the host
        if (!rest.length) return;
      }
      if (rest.some((a) => !a.literal)) unsure.push(`${program} runs a command known only when it runs`);
      else nestedLines.push(rest.map((a) => a.text).join(' '));
      return;
    }
    if (program === 'find') {
      // find … -exec CMD … ; : CMD is a command of its own.
      for (let k = 0; k < args.length; k++) {
        if (['-exec', '-execdir', '-ok', '-okdir'].includes(args[k].text)) {
          let e = k + 1;
          while (e < args.length && args[e].text !== ';' && args[e].text !== '+') e++;
          if (e > k + 1) invocations({ words: args.slice(k + 1, e) }, out, unsure, nestedLines);
          k = e;
        }
      }
      return;
    }
    if (INTERPRETERS.has(program) || /^(python|pypy)\d(\.\d+)?$/.test(program)) {
      // Another language's code on the line, in any argument: not parsed; a ruled program named in it is unsure.
      out.push({ program: `${program} code`, args: [{ text: args.map((a) => a.text).join(' '), literal: true }], argsUnknown: false });
      // With no script file (no argument that is not an option), it reads code from its input: a here-string, a pipe.
      if (cmd.stdin && !args.some((a) => !a.text.startsWith('-')) && !['sed', 'vim', 'nvim', 'vi', 'ex', 'emacs', 'gdb'].includes(program)) unsure.push(`${program} reads code from its input`);
    }
    return;
  }
}

function skipOptions(args: Word[], withValue: string[]): Word[] {
  let k = 0;
  for (; k < args.length; k++) {
    const t = args[k].text;
    if (t === '--') return args.slice(k + 1);
    if (!t.startsWith('-')) break;
    if (withValue.includes(t)) k++;
  }
  return args.slice(k);
}

/** Everything a line runs, with nested command lines (sh -c, eval, ssh, env -S) read in turn. */
export function analyse(line: string): { runs: Invocation[]; unsure: string[] } {
  const runs: Invocation[] = [];
  const unsure: string[] = [];
  const lines = [line];
  for (let n = 0; n < lines.length; n++) {
    if (n > 32) {
      unsure.push('too many nested command lines');
      break;
    }
    const p = parseLine(lines[n]);
    unsure.push(...p.unsure);
    for (const c of p.commands) invocations(c, runs, unsure, lines);
  }
  return { runs, unsure };
}

type TextRe = { test(text: string): boolean };
type Pattern = { kind: 'text'; re: TextRe; source: string } | { kind: 'command'; program: string; args: string[]; source: string };

/** Rules as compiled, by pattern: a run is judged against every rule, and compiling a /regex/ costs more than judging. */
const compiledRules = new Map<string, Pattern>();

export function compileRule(pattern: string): Pattern {
  let c = compiledRules.get(pattern);
  if (!c) {
    c = compileFresh(pattern);
    if (compiledRules.size >= 512) compiledRules.clear();
    compiledRules.set(pattern, c);
  }
  return c;
}

function compileFresh(pattern: string): Pattern {
  const p = pattern.trim();
  const m = /^\/(.+)\/$/.exec(p);
  if (m) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(m[1], RE2JS.CASE_INSENSITIVE);
    } catch (e) {
      throw new Error(`${p}: not a regular expression trail can run (${(e as Error).message}; back-references and lookaround are not supported)`);
    }
    return { kind: 'text', re: { test: (text) => re.matcher(text).find() }, source: p };
  }
  const words = p.split(/\s+/).filter(Boolean);
  if (!words.length) throw new Error('a rule needs a program (e.g. "rm -rf") or a /regex/');
  return { kind: 'command', program: words[0].replace(/^.*\//, ''), args: words.slice(1), source: p };
}

// Long options and their short letters, for the programs of the default rules (rm --recursive is rm -r).
const SYNONYMS: Record<string, Record<string, string>> = {
  rm: { '--recursive': 'r', '-R': 'r', '--force': 'f' },
  git: { '--force': 'f' },
  cp: { '--recursive': 'r', '-R': 'r', '--force': 'f' },
  chmod: { '--recursive': 'R' },
  chown: { '--recursive': 'R' },
};

/** Does an invocation carry this pattern argument? */
function has(inv: Invocation, arg: string): boolean {
  const syn = SYNONYMS[inv.program] ?? {};
  const letters = new Set<string>();
  const longs: string[] = [];
  const plain = new Set<string>();
  let force = false;
  for (const a of inv.args) {
    const t = a.text;
    if (t.startsWith('--')) {
      longs.push(t);
      if (syn[t.split('=')[0]]) letters.add(syn[t.split('=')[0]]);
    } else if (t.startsWith('-') && t.length > 1) {
      for (const ch of t.slice(1)) letters.add(syn[`-${ch}`] ?? ch);
      plain.add(t);
    } else {
      plain.add(t);
      // git push origin +main forces, like --force.
      if (inv.program === 'git' && t.startsWith('+') && t.length > 1) force = true;
    }
  }
  if (arg.startsWith('--')) {
    if (longs.some((l) => l === arg || l.startsWith(arg + '=') || l.startsWith(arg + '-'))) return true;
    const short = syn[arg];
    if (short && letters.has(short)) return true;
    return arg === '--force' && force;
  }
  if (arg.startsWith('-') && arg.length > 1) return plain.has(arg) || [...arg.slice(1)].every((ch) => letters.has(ch));
  return plain.has(arg);
}

type Match = 'yes' | 'unsure' | 'no';

function matches(p: Pattern, inv: Invocation): Match {
  if (p.kind === 'text') {
    if (inv.program.endsWith(' code')) return p.re.test(inv.args[0]?.text ?? '') ? 'yes' : 'no';
    return p.re.test([inv.program, ...inv.args.map((a) => a.text)].join(' ')) ? 'yes' : 'no';
  }
  if (inv.program.endsWith(' code')) {
    // Another language's code that names the program with the rule's arguments after it (os.system('rm -rf …')): it may well run it.
    const words = (inv.args[0]?.text ?? '').split(/[^\w./+-]+/).filter(Boolean);
    for (let k = 0; k < words.length; k++) {
      if (words[k].replace(/^.*\//, '') !== p.program) continue;
      const after: Invocation = { program: p.program, args: words.slice(k + 1, k + 24).map((text) => ({ text, literal: true })), argsUnknown: false };
      if (p.args.every((a) => has(after, a))) return 'unsure';
    }
    return 'no';
  }
  if (inv.program !== p.program) return 'no';
  if (p.args.every((a) => has(inv, a))) return 'yes';
  // What is missing could come from an expansion or from xargs' input.
  return inv.argsUnknown || inv.args.some((a) => !a.literal) ? 'unsure' : 'no';
}

/**
 * The verdict on a line under the rules: deny when a deny rule matches a
 * command in it; confirm when a confirm rule matches one that no allow rule
 * covers, or when a deny or confirm rule may match what the text cannot
 * show; else allow.
 */
export function judge(line: string, rules: Rule[]): Verdict {
  const { runs, unsure } = analyse(line);
  const compiled = rules.map((r) => ({ ...r, p: compileRule(r.pattern) }));
  const reasons: string[] = [];
  const strict = compiled.filter((r) => r.action !== 'allow');
  let deny = false;
  let confirm = false;
  for (const inv of runs) {
    // ln -s /bin/rm X, cp /bin/bash X: a new name for a ruled program, or for one that runs anything.
    if (['ln', 'cp', 'install', 'mv'].includes(inv.program))
      for (const a of inv.args) {
        const base = a.text.replace(/^.*\//, '');
        if (a.text.startsWith('-') || !a.literal) continue;
        const r = strict.find((x) => x.p.kind === 'command' && x.p.program === base);
        if (r || RUNNERS.has(base)) {
          confirm = true;
          reasons.push(`${inv.program} makes another name for ${base}, which would hide it from the rules`);
        }
      }
    // alias r=rm: a new name for a ruled program hides it from every later line.
    if (inv.program === 'alias')
      for (const a of inv.args) {
        const target = /^[^=]+=\s*(\S+)/.exec(a.text)?.[1]?.replace(/^.*\//, '');
        const r = target ? strict.find((x) => x.p.kind === 'command' && x.p.program === target) : undefined;
        if (r) {
          confirm = true;
          reasons.push(`${r.action} rule "${r.pattern}": an alias for ${target} would hide it from the rules`);
        }
      }
    const allowed = compiled.some((r) => r.action === 'allow' && matches(r.p, inv) === 'yes');
    for (const r of strict) {
      const m = matches(r.p, inv);
      if (m === 'yes' && r.action === 'deny') {
        deny = true;
        reasons.push(`deny rule "${r.pattern}" matches \`${show(inv)}\``);
      } else if (m === 'yes' && !allowed) {
        confirm = true;
        reasons.push(`confirm rule "${r.pattern}" matches \`${show(inv)}\``);
      } else if (m === 'unsure' && !allowed) {
        confirm = true;
        reasons.push(`${r.action} rule "${r.pattern}" may match \`${show(inv)}\` (what it runs is known only when it runs)`);
      }
    }
  }
  // Text rules see the line as typed too ($'…' and quotes can hide words from the parse, not from them).
  for (const r of strict) if (r.p.kind === 'text' && r.p.re.test(line) && !reasons.some((x) => x.includes(`"${r.pattern}"`))) {
    if (r.action === 'deny') deny = true;
    else confirm = true;
    reasons.push(`${r.action} rule "${r.pattern}" matches the line`);
  }
  if (unsure.length && strict.length) {
    confirm = true;
    reasons.push(...[...new Set(unsure)].map((u) => `cannot be checked: ${u}`));
  }
  return { action: deny ? 'deny' : confirm ? 'confirm' : 'allow', reasons: [...new Set(reasons)] };
}

function show(inv: Invocation): string {
  const t = [inv.program, ...inv.args.map((a) => (a.literal ? a.text : `${a.text}…`))].join(' ');
  return t.length > 100 ? t.slice(0, 99) + '…' : t;
}

/** Does this command line end by running a shell or an interpreter (whose input is then code)? */
export function runsInterpreter(line: string): boolean {
  const { runs } = analyse(line);
  return runs.some((r) => SHELLS.has(r.program) || INTERPRETERS.has(r.program) || /^(python|pypy)\d/.test(r.program) || ['script', 'ssh', 'su', 'irb', 'psql', 'mysql', 'sqlite3', 'redis-cli', 'mongo', 'mongosh'].includes(r.program));
}

/**
 * Text typed into a running program (a REPL, a pager's shell escape, a shell
 * inside): judged as a command line, and as code of another language, where
 * a ruled program named in it is unsure.
 */
export function judgeInput(line: string, rules: Rule[]): Verdict {
  const v = judge(line, rules);
  if (v.action !== 'allow') return v;
  const code: Invocation = { program: 'input code', args: [{ text: line, literal: true }], argsUnknown: false };
  const hits = rules.filter((r) => r.action !== 'allow').map((r) => ({ r, m: matches(compileRule(r.pattern), code) })).filter((x) => x.m !== 'no');
  if (!hits.length) return v;
  return { action: hits.some((x) => x.r.action === 'deny' && x.m === 'yes') ? 'deny' : 'confirm', reasons: hits.map((x) => `${x.r.action} rule "${x.r.pattern}" may match what this input runs`) };
}
