# trail: the user's .zlogin, then leave ZDOTDIR as the user had it.
ZDOTDIR=$__trail_user_zdotdir
[[ -r $ZDOTDIR/.zlogin ]] && source $ZDOTDIR/.zlogin
[[ $ZDOTDIR == $HOME && -z ${TRAIL_USER_ZDOTDIR-} ]] && unset ZDOTDIR
unset TRAIL_USER_ZDOTDIR __trail_zdotdir __trail_user_zdotdir
