// Who is at the CLI: the identity whose visits the briefing counts from (an
// agent's or a browser's are their own).
// An assistant that runs trail commands as the same user gives itself a name
// of its own with TRAIL_ACTOR (agent:NAME), so that it does not use up the person's briefing.
export function identity(): string {
  const actor = process.env.TRAIL_ACTOR?.trim();
  if (actor) return actor.includes(':') ? actor : `agent:${actor}`;
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'user'}`;
}
