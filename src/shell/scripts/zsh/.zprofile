# trail: the user's .zprofile with their ZDOTDIR (login shells only).
ZDOTDIR=$__trail_user_zdotdir
[[ -r $ZDOTDIR/.zprofile ]] && source $ZDOTDIR/.zprofile
__trail_user_zdotdir=$ZDOTDIR
ZDOTDIR=$__trail_zdotdir
