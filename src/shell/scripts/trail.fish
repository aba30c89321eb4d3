# trail shell integration for fish: prompt and command marks with builtins only.
# Sourced by `fish --init-command` after the user's config.fish.
if set -q __trail_loaded
    exit 0
end
set -g __trail_loaded 1
# trail itself stays reachable when the profile reset PATH (a checkout's bin/trail).
if set -q TRAIL_BIN; and not command -q trail
    set -gx PATH $PATH $TRAIL_BIN
end
set -g __trail_cli trail
set -q TRAIL_BIN; and set -g __trail_cli $TRAIL_BIN/trail
set -e TRAIL_BIN

# Opt-in (TRAIL_CTRL_R=1): Ctrl-R opens trail's search picker; the chosen line lands on the prompt, not run.
if test "$TRAIL_CTRL_R" = 1
    function __trail_pick
        set -l out ($__trail_cli search -i -- (commandline) | string collect)
        and commandline -r -- $out
        commandline -f repaint
    end
    bind \cr __trail_pick
    bind -M insert \cr __trail_pick 2>/dev/null
end
set -g __trail_nonce ''
if set -q TRAIL_NONCE_FILE
    read -g __trail_nonce < $TRAIL_NONCE_FILE
end
set -g __trail_seq 0
set -e TRAIL_NONCE_FILE
set -e TRAIL_TMP
if test -z "$__trail_nonce"
    exit 0
end
set -g __trail_state start

# Escape $argv[1]: backslash, ';' and control characters become \xHH. Most
# lines have none of them: one regex test, then out as they are.
function __trail_esc
    if not string match -qr -- '[\\\\;\x01-\x1f\x7f]' $argv[1]
        printf '%s' $argv[1]
        return
    end
    set -l s (string replace -a -- '\\' '\\\\' $argv[1] | string collect)
    set s (string replace -a -- \n '\\x0a' $s | string collect)
    set s (string replace -a -- ';' '\\x3b' $s)
    set s (string replace -a -- \t '\\x09' $s)
    set s (string replace -a -- \r '\\x0d' $s)
    set s (string replace -a -- \e '\\x1b' $s)
    set s (string replace -a -- \a '\\x07' $s)
    printf '%s' $s
end

function __trail_preexec --on-event fish_preexec
    # fish keeps a line with a leading space out of history: keep it out of the trail too
    if string match -q -- ' *' $argv[1]
        set -g __trail_state hidden
        return
    end
    set -g __trail_state running
    set -g __trail_seq (math $__trail_seq + 1)
    printf '\e]633;E;%s;%s\a\e]633;C;%s;%s\a' (__trail_esc $argv[1]) $__trail_nonce $__trail_seq $__trail_nonce
end

function __trail_postexec --on-event fish_postexec
    set -l st $status
    if test "$__trail_state" = running
        printf '\e]633;D;%s;%s\a' $st $__trail_nonce
    end
    set -g __trail_state done
end

function __trail_set_status
    return $argv[1]
end

if functions -q fish_prompt
    functions -c fish_prompt __trail_user_prompt
else
    function __trail_user_prompt
        printf '%s> ' (prompt_pwd)
    end
end

function fish_prompt
    set -l st $status
    if test "$PWD" != "$__trail_pwd"
        set -g __trail_pwd $PWD
        set -g __trail_pwd_esc (__trail_esc $PWD)
    end
    printf '\e]633;P;Cwd=%s;%s\a' $__trail_pwd_esc $__trail_nonce
    printf '\e]633;A;%s\a' $__trail_nonce
    __trail_set_status $st
    __trail_user_prompt
    printf '\e]633;B;%s\a' $__trail_nonce
end
