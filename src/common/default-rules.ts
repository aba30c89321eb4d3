// trail's default rules for agents' commands, apart from the checker so that
// the CLI can name them without loading it (and its regular expression engine).
import type { Rule } from './shell-check.js';

/** What people most often regret an agent running: confirmed unless the person allows them. */
export const DEFAULT_RULES: Rule[] = [
  { action: 'confirm', pattern: 'rm -rf' },
  { action: 'confirm', pattern: 'git push --force' },
  { action: 'confirm', pattern: 'git reset --hard' },
  { action: 'confirm', pattern: 'git clean -f' },
  { action: 'confirm', pattern: '/\\bdrop\\s+(table|database|schema)\\b/' },
  { action: 'confirm', pattern: 'kubectl delete' },
  { action: 'confirm', pattern: 'terraform destroy' },
  { action: 'confirm', pattern: 'terraform apply -destroy' },
];

/**
 * trail's own boundary, always in force and never allowed: an agent must not
 * approve its own commands, change its policy, make tokens, forget or pause
 * the trail that shows what it did, or edit the store behind it.
 */
export const PROTECTED_RULES: Rule[] = [
  ...['policy', 'approve', 'deny', 'token', 'agent', 'forget', 'off', 'daemon stop'].map((sub) => ({ action: 'deny' as const, pattern: `trail ${sub}` })),
  // The store and the socket behind the trail: reached directly, they bypass every rule.
  { action: 'confirm', pattern: '/trail(\\.logs)?\\.db|daemon\\.sock/' },
];
