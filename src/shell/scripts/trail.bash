# trail shell integration for bash.
# Loaded by `bash --init-file`: it first loads the user's own startup files,
# unchanged, then adds prompt and command marks using builtins only (no process
# is started per prompt). Marks are OSC 633 sequences signed with a nonce that
# only this shell knows.

if [[ -n "${__trail_loaded-}" ]]; then return 0; fi
__trail_loaded=1
__trail_nonce=
[[ -n "${TRAIL_NONCE_FILE-}" ]] && builtin read -r __trail_nonce < "$TRAIL_NONCE_FILE"
__trail_tmp="${TRAIL_TMP-}"
builtin unset TRAIL_NONCE_FILE TRAIL_TMP

# The user's files, as an interactive login shell reads them (tmux starts login shells too).
if [[ -n "${TRAIL_BASH_LOGIN-}" ]]; then
  builtin unset TRAIL_BASH_LOGIN
  [[ -r /etc/profile ]] && builtin source /etc/profile
  if [[ -r ~/.bash_profile ]]; then builtin source ~/.bash_profile
  elif [[ -r ~/.bash_login ]]; then builtin source ~/.bash_login
  elif [[ -r ~/.profile ]]; then builtin source ~/.profile
  elif [[ -r ~/.bashrc ]]; then builtin source ~/.bashrc
  fi
else
  [[ -r /etc/bash.bashrc ]] && builtin source /etc/bash.bashrc
  [[ -r ~/.bashrc ]] && builtin source ~/.bashrc
fi
# trail itself stays reachable when the profile reset PATH (a checkout's bin/trail).
if [[ -n "${TRAIL_BIN-}" ]] && ! builtin type -P trail >/dev/null; then PATH="${PATH:+$PATH:}$TRAIL_BIN"; fi
__trail_cli="${TRAIL_BIN:+$TRAIL_BIN/}trail"
builtin unset TRAIL_BIN

# Opt-in (TRAIL_CTRL_R=1): Ctrl-R opens trail's search picker; the chosen line lands on the prompt, not run.
if [[ "${TRAIL_CTRL_R-}" == 1 ]]; then
  __trail_pick() {
    local out
    out=$("$__trail_cli" search -i -- "$READLINE_LINE") || return 0
    READLINE_LINE=$out
    READLINE_POINT=${#READLINE_LINE}
  }
  builtin bind -x '"\C-r": __trail_pick'
fi

if [[ -z "$__trail_nonce" || -z "$__trail_tmp" ]]; then return 0; fi

# Control characters, for the rare command line that holds one.
__trail_ctl=()
for __trail_i in {1..31} 127; do
  builtin printf -v __trail_o '%03o' "$__trail_i"
  builtin printf -v __trail_c "\\$__trail_o"
  __trail_ctl+=("$__trail_c")
done
builtin unset __trail_i __trail_o __trail_c

# Escape $1 into __trail_out: backslash, ';', space and controls become \xHH.
__trail_esc() {
  local s="$1" c h
  s=${s//\\/\\\\}
  s=${s//;/\\x3b}
  s=${s// /\\x20}
  s=${s//$'\n'/\\x0a}
  if [[ $s == *[$'\001'-$'\037'$'\177']* ]]; then
    for c in "${__trail_ctl[@]}"; do
      if [[ $s == *"$c"* ]]; then
        builtin printf -v h '\\x%02x' "'$c"
        s=${s//"$c"/$h}
      fi
    done
  fi
  __trail_out=$s
}

__trail_state=start   # prompt | running | hidden | precmd
__trail_go=0          # set to 1 by PS0: a command line is about to run
__trail_seq=0         # the shell's own count of command lines run, sent with each start mark
__trail_hn=-1         # the number of the last history entry at the prompt (-1: not read yet)
__trail_z=()          # never set: PS0 indexes it for the side effect of the subscript
__trail_hcontrol_user=
__trail_hcontrol_ours=
__trail_line=

# PS0 is expanded by the shell itself (no fork) after it has read a command
# line and before it runs it, for every line that runs: a subshell, `time`,
# `coproc` or `!` included, where the DEBUG trap does not fire at top level.
# The subscript's arithmetic records that the line started; the start mark
# carries the shell's sequence number.
__trail_ps0='${__trail_z[__trail_go=1]-}\e]633;C;$((++__trail_seq));'"$__trail_nonce"'\a'

# The last history entry into __trail_line and its number into __trail_n. The
# tmp file is how a builtin's output reaches a variable without a fork; it is
# emptied at once so that no command line stays in it.
__trail_history_last() {
  local HISTTIMEFORMAT= line
  __trail_line= __trail_n=0
  builtin history 1 >| "$__trail_tmp" && builtin read -r -d '' line < "$__trail_tmp"
  : >| "$__trail_tmp"
  [[ -n $line ]] || return 0
  line=${line#"${line%%[![:space:]]*}"}
  __trail_n=${line%%[!0-9]*}
  line=${line#"$__trail_n"}
  line=${line#\*}
  line=${line#  }
  __trail_line=${line%$'\n'}
}

# The command line that is running, from history (all of it, not bash's first
# simple command) into __trail_line; returns 1 when the line must be kept out
# of the trail. $1 is what bash is about to run, when the DEBUG trap knows it.
__trail_which_line() {
  if [[ ! -o history ]]; then
    __trail_line=${1-}
    return 0
  fi
  __trail_history_last
  if (( __trail_n == 0 )); then
    __trail_line=${1-}   # no history kept (HISTSIZE=0)
    return 0
  fi
  # A new last entry, or a history the user cleared (history -c) since the prompt.
  # (HISTCMD would tell without reading history, but bash 4.4 keeps it at 1 in PROMPT_COMMAND.)
  if (( __trail_n != __trail_hn )); then
    __trail_hn=$__trail_n
    # A line typed with a leading space stays out of the trail, whatever the
    # history options; out of history too when the user's HISTCONTROL says so.
    if [[ $__trail_line == ' '* ]]; then
      if [[ :$__trail_hcontrol_user: == *:ignorespace:* || :$__trail_hcontrol_user: == *:ignoreboth:* ]]; then
        builtin history -d "$__trail_n" 2>/dev/null && __trail_hn=$(( __trail_n - 1 ))
      fi
      return 1
    fi
    return 0
  fi
  # Not added to history (ignorespace is lifted while a line is read): a
  # repeat under ignoredups, whose text is the last entry, or a line that
  # HISTIGNORE keeps out, which stays out of the trail too.
  [[ -z ${HISTIGNORE-} ]] && return 0
  [[ -n ${1-} && $__trail_line == "$1"* ]] && return 0
  return 1
}

# HISTCONTROL as the user set it: trail lifts ignorespace while a line is read
# (so a leading-space line reaches history, where trail can see it and then
# removes it), and puts it back before anything runs.
__trail_hcontrol_restore() {
  if [[ -n $__trail_hcontrol_ours && ${HISTCONTROL-} == "$__trail_hcontrol_ours" ]]; then
    HISTCONTROL=$__trail_hcontrol_user
  fi
  __trail_hcontrol_ours=
}

__trail_preexec() {
  [[ $__trail_state == prompt ]] || return 0
  [[ -n "${COMP_LINE-}" || -n "${READLINE_POINT+set}" ]] && return 0
  # The DEBUG trap also fires for PROMPT_COMMAND when nothing at top level ran it.
  [[ $BASH_COMMAND == __trail_precmd* ]] && return 0
  __trail_hcontrol_restore
  if ! __trail_which_line "$BASH_COMMAND"; then
    __trail_state=hidden
    builtin printf '\e]633;H;%s\a' "$__trail_nonce"
    return 0
  fi
  __trail_state=running
  __trail_esc "$__trail_line"
  if (( __trail_go )); then
    builtin printf '\e]633;E;%s;%s\a' "$__trail_out" "$__trail_nonce"
  else
    # No PS0 ran (it was replaced after our prompt hook, or bash < 4.4): start here.
    builtin printf '\e]633;E;%s;%s\a\e]633;C;%s;%s\a' "$__trail_out" "$__trail_nonce" "$((++__trail_seq))" "$__trail_nonce"
  fi
}

__trail_precmd() {
  local status=$?
  __trail_hcontrol_restore
  if [[ $__trail_state == prompt ]]; then
    if (( __trail_go )); then
      # It ran, but no DEBUG trap saw it (a subshell, `time`, `coproc`): name it now.
      if __trail_which_line; then
        __trail_esc "$__trail_line"
        builtin printf '\e]633;E;%s;%s\a\e]633;D;%s;%s\a' "$__trail_out" "$__trail_nonce" "$status" "$__trail_nonce"
      else
        builtin printf '\e]633;H;%s\a' "$__trail_nonce"
      fi
    elif [[ -o history ]] && __trail_history_last && (( __trail_n != __trail_hn )); then
      # Read and kept in history, but not run: a comment, or a syntax error.
      if __trail_which_line && [[ -n $__trail_line ]]; then
        local code=$status
        [[ $__trail_line =~ ^[[:space:]]*# ]] && code=0
        __trail_esc "$__trail_line"
        builtin printf '\e]633;E;%s;%s\a\e]633;C;%s;%s\a\e]633;D;%s;%s\a' "$__trail_out" "$__trail_nonce" "$((++__trail_seq))" "$__trail_nonce" "$code" "$__trail_nonce"
      fi
    fi
  elif [[ $__trail_state == running ]]; then
    builtin printf '\e]633;D;%s;%s\a' "$status" "$__trail_nonce"
  fi
  __trail_state=precmd
  __trail_esc "$PWD"
  builtin printf '\e]633;P;Cwd=%s;%s\a' "$__trail_out" "$__trail_nonce"
  return $status
}

# Last in PROMPT_COMMAND: wrap whatever PS1 the user's hooks left, add the
# start mark to PS0, lift ignorespace for the line about to be read, then arm preexec.
__trail_prompt() {
  local status=$?
  if [[ "$PS1" != "$__trail_ps1" ]]; then
    __trail_ps1="\[\e]633;A;${__trail_nonce}\a\]${PS1}\[\e]633;B;${__trail_nonce}\a\]"
    PS1=$__trail_ps1
  fi
  [[ ${PS0-} == *"$__trail_ps0" ]] || PS0="${PS0-}$__trail_ps0"
  __trail_hcontrol_user=${HISTCONTROL-}
  __trail_hcontrol_ours=
  if [[ :$__trail_hcontrol_user: == *:ignorespace:* || :$__trail_hcontrol_user: == *:ignoreboth:* ]]; then
    local h=:$__trail_hcontrol_user:
    h=${h//:ignorespace:/:}
    h=${h//:ignoreboth:/:ignoredups:}
    h=${h#:}; h=${h%:}
    __trail_hcontrol_ours=${h:-none}
    HISTCONTROL=$__trail_hcontrol_ours
  fi
  if (( __trail_hn < 0 )); then
    __trail_history_last
    __trail_hn=$__trail_n
  fi
  __trail_go=0
  __trail_state=prompt
  return $status
}

# An array PROMPT_COMMAND runs every element from bash 5.1; older bash runs only the first.
if [[ "${PROMPT_COMMAND@a}" == *a* ]] && (( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )); then
  PROMPT_COMMAND=(__trail_precmd "${PROMPT_COMMAND[@]}" __trail_prompt)
else
  PROMPT_COMMAND="__trail_precmd"$'\n'"${PROMPT_COMMAND-}"$'\n'"__trail_prompt"
fi

# Keep a DEBUG trap the user already had, running it after ours.
__trail_user_debug=$(builtin trap -p DEBUG)
__trail_user_debug=${__trail_user_debug#trap -- \'}
__trail_user_debug=${__trail_user_debug%\' DEBUG}
if [[ -n "$__trail_user_debug" ]]; then
  builtin trap '__trail_preexec; builtin eval "$__trail_user_debug"' DEBUG
else
  builtin trap '__trail_preexec' DEBUG
fi
