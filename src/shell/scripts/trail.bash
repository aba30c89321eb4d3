# trail shell integration for bash.
# Loaded by `bash --init-file`: it first loads the user's own startup files,
# unchanged, then adds prompt and command marks using builtins only (no process
# is started per prompt). Marks are OSC 633 sequences signed with a nonce that
# only this shell knows.

if [[ -n "${__trail_loaded-}" ]]; then return 0; fi
__trail_loaded=1
__trail_nonce="${TRAIL_NONCE-}"
__trail_tmp="${TRAIL_TMP-}"
builtin unset TRAIL_NONCE TRAIL_TMP

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

__trail_state=start
__trail_hc=0

# The command line as typed (all of it, not bash's first simple command), read
# from history; a line bash left out of history (leading space under
# ignorespace) is not recorded, as the shell's own convention says.
__trail_preexec() {
  [[ $__trail_state == prompt ]] || return 0
  [[ -n "${COMP_LINE-}" || -n "${READLINE_POINT+set}" ]] && return 0
  [[ $BASH_COMMAND == __trail_precmd* ]] && return 0
  local line=""
  if [[ -o history ]]; then
    if (( HISTCMD >= __trail_hc && __trail_hc > 0 )); then
      local HISTTIMEFORMAT=
      builtin history 1 >| "$__trail_tmp" && builtin read -r -d '' line < "$__trail_tmp"
    else
      # not added: ignorespace, or ignoredups/erasedups of the same line
      local HISTTIMEFORMAT=
      builtin history 1 >| "$__trail_tmp" && builtin read -r -d '' line < "$__trail_tmp"
      local body="${line#"${line%%[![:space:]]*}"}"
      body=${body#"${body%%[!0-9]*}"}; body=${body#\*}; body=${body#  }; body=${body%$'\n'}
      if [[ "$body" != "$BASH_COMMAND"* ]]; then
        __trail_state=hidden
        return 0
      fi
    fi
    line=${line#"${line%%[![:space:]]*}"}
    line=${line#"${line%%[!0-9]*}"}
    line=${line#\*}
    line=${line#  }
    line=${line%$'\n'}
    # A line typed with a leading space under ignorespace is hidden whatever
    # bash's history did with it (multi-line continuations skip HISTCONTROL).
    if [[ $line == ' '* && ( :$HISTCONTROL: == *:ignorespace:* || :$HISTCONTROL: == *:ignoreboth:* ) ]]; then
      __trail_state=hidden
      return 0
    fi
  else
    line=$BASH_COMMAND
  fi
  __trail_state=running
  __trail_esc "$line"
  builtin printf '\e]633;E;%s;%s\a\e]633;C;%s\a' "$__trail_out" "$__trail_nonce" "$__trail_nonce"
}

__trail_precmd() {
  local status=$?
  if [[ $__trail_state == running ]]; then
    builtin printf '\e]633;D;%s;%s\a' "$status" "$__trail_nonce"
  fi
  __trail_state=precmd
  __trail_esc "$PWD"
  builtin printf '\e]633;P;Cwd=%s;%s\a' "$__trail_out" "$__trail_nonce"
  return $status
}

# Last in PROMPT_COMMAND: wrap whatever PS1 the user's hooks left, then arm preexec.
__trail_prompt() {
  local status=$?
  if [[ "$PS1" != "$__trail_ps1" ]]; then
    __trail_ps1="\[\e]633;A;${__trail_nonce}\a\]${PS1}\[\e]633;B;${__trail_nonce}\a\]"
    PS1=$__trail_ps1
  fi
  __trail_hc=$HISTCMD
  __trail_state=prompt
  return $status
}

if [[ "${PROMPT_COMMAND@a}" == *a* ]]; then
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
