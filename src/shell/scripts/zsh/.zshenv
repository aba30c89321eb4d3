# trail: load the user's .zshenv with their ZDOTDIR, then come back here so that
# our .zshrc shim runs after theirs.
typeset -g __trail_zdotdir=$ZDOTDIR
ZDOTDIR=${TRAIL_USER_ZDOTDIR:-$HOME}
[[ -r $ZDOTDIR/.zshenv ]] && source $ZDOTDIR/.zshenv
typeset -g __trail_user_zdotdir=$ZDOTDIR
ZDOTDIR=$__trail_zdotdir
