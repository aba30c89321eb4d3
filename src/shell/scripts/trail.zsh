# trail shell integration for zsh: prompt and command marks with builtins only.
# Sourced from our .zshrc shim after the user's own .zshrc.
[[ -n ${__trail_loaded-} ]] && return 0
typeset -g __trail_loaded=1
typeset -g __trail_nonce=
[[ -n ${TRAIL_NONCE_FILE-} ]] && builtin read -r __trail_nonce < $TRAIL_NONCE_FILE
typeset -g __trail_seq=0
unset TRAIL_NONCE_FILE TRAIL_TMP
[[ -z $__trail_nonce ]] && return 0

typeset -g __trail_state=start

# Escape $1 into REPLY: backslash, ';' and bytes <= 0x20 or 0x7f become \xHH.
__trail_esc() {
  emulate -L zsh
  local s=$1 c h i
  s=${s//\\/\\\\}
  s=${s//;/\\x3b}
  s=${s// /\\x20}
  s=${s//$'\n'/\\x0a}
  if [[ $s == *[$'\001'-$'\037'$'\177']* ]]; then
    for i in {1..31} 127; do
      c=${(#)i}
      if [[ $s == *$c* ]]; then
        printf -v h '\\x%02x' $i
        s=${s//$c/$h}
      fi
    done
  fi
  REPLY=$s
}

__trail_preexec() {
  # $1 is the line as typed; a leading space keeps it out of the trail,
  # whatever hist_ignore_space says about the shell's own history.
  if [[ $1 == ' '* ]]; then
    __trail_state=hidden
    return
  fi
  __trail_state=running
  __trail_esc "$1"
  builtin printf '\e]633;E;%s;%s\a\e]633;C;%s;%s\a' "$REPLY" "$__trail_nonce" "$((++__trail_seq))" "$__trail_nonce"
}

__trail_precmd() {
  local st=$?
  if [[ $__trail_state == running ]]; then
    builtin printf '\e]633;D;%s;%s\a' "$st" "$__trail_nonce"
  fi
  __trail_state=prompt
  __trail_esc "$PWD"
  builtin printf '\e]633;P;Cwd=%s;%s\a' "$REPLY" "$__trail_nonce"
  return $st
}

# Last precmd: wrap whatever PS1 the user's hooks left.
__trail_prompt() {
  local st=$?
  if [[ $PS1 != "$__trail_ps1" ]]; then
    __trail_ps1="%{"$'\e'"]633;A;${__trail_nonce}"$'\a'"%}${PS1}%{"$'\e'"]633;B;${__trail_nonce}"$'\a'"%}"
    PS1=$__trail_ps1
  fi
  # PROMPT_SP's filler (the end-of-line mark and a line of spaces) is printed
  # before precmd, so before the end mark: a mark in front of it says the
  # command's output ended there.
  if [[ -z ${__trail_eol+set} || ${PROMPT_EOL_MARK-} != "$__trail_eol" ]]; then
    __trail_eol="%{"$'\e'"]633;O;${__trail_nonce}"$'\a'"%}${PROMPT_EOL_MARK-%B%S%#%s%b}"
    PROMPT_EOL_MARK=$__trail_eol
  fi
  return $st
}

typeset -ga precmd_functions preexec_functions
precmd_functions=(__trail_precmd ${precmd_functions:#__trail_*} __trail_prompt)
preexec_functions=(${preexec_functions:#__trail_*} __trail_preexec)

# Opt-in (TRAIL_CTRL_R=1): Ctrl-R opens trail's search picker; the chosen line lands on the prompt, not run.
typeset -g __trail_cli=${TRAIL_BIN:+$TRAIL_BIN/}trail
if [[ ${TRAIL_CTRL_R-} == 1 ]]; then
  __trail_pick() {
    local out
    out=$($__trail_cli search -i -- "$BUFFER") && { BUFFER=$out; CURSOR=$#BUFFER }
    zle reset-prompt
  }
  zle -N __trail_pick
  bindkey '^R' __trail_pick
fi
