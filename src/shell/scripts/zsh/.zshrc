# trail: the user's .zshrc with their ZDOTDIR, then trail's hooks.
ZDOTDIR=$__trail_user_zdotdir
[[ -r $ZDOTDIR/.zshrc ]] && source $ZDOTDIR/.zshrc
__trail_user_zdotdir=$ZDOTDIR
source ${__trail_zdotdir}/../trail.zsh
if [[ -o login ]]; then
  ZDOTDIR=$__trail_zdotdir   # .zlogin (ours, then theirs) comes next
else
  ZDOTDIR=$__trail_user_zdotdir
  [[ $ZDOTDIR == $HOME && -z ${TRAIL_USER_ZDOTDIR-} ]] && unset ZDOTDIR
  unset TRAIL_USER_ZDOTDIR __trail_zdotdir __trail_user_zdotdir
fi
