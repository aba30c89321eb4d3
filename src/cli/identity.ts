// Who is at the CLI: the identity whose visits the briefing counts from (an
// agent's or a browser's are their own).
export function identity(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'user'}`;
}
