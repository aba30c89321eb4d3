# trail: the user's .zlogin, then leave ZDOTDIR as the user had it.
ZDOTDIR=$__trail_user_zdotdir
[[ -r $ZDOTDIR/.zlogin ]] && source $ZDOTDIR/.zlogin
[[ $ZDOTDIR == $HOME && -z ${TRAIL_USER_ZDOTDIR-} ]] && unset ZDOTDIR
# trail itself stays reachable when the profile reset PATH (a checkout's bin/trail).
[[ -n ${TRAIL_BIN-} ]] && ! whence -p trail >/dev/null && path+=($TRAIL_BIN)
unset TRAIL_BIN TRAIL_USER_ZDOTDIR __trail_zdotdir __trail_user_zdotdir
