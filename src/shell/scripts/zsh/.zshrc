ZDOTDIR=$__trail_user_zdotdir
[[ -r $ZDOTDIR/.zshrc ]] && source $ZDOTDIR/.zshrc
__trail_user_zdotdir=$ZDOTDIR
source ${__trail_zdotdir}/../trail.zsh
if [[ -o login ]]; then
  ZDOTDIR=$__trail_zdotdir
else
  ZDOTDIR=$__trail_user_zdotdir
  unset TRAIL_USER_ZDOTDIR __trail_zdotdir __trail_user_zdotdir
fi
