// The daemon's settings, from $TRAIL_HOME/config.yaml. Every key is optional;
// a file that does not parse is refused with the key and the reason.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { Duration } from './service-config.js';
import { compilePatterns, DEFAULT_PATTERNS, type SecretPattern } from '../common/redact.js';

export const ConfigSchema = z
  .object({
    scrollback: z.number().int().min(0).max(1_000_000).default(10_000),
    /** How much of each service's output is kept: its newest lines, and none older than so many days. */
    service_logs: z
      .object({ lines: z.number().int().min(100).default(100_000), days: z.number().min(0.01).default(14) })
      .strict()
      .default({ lines: 100_000, days: 14 }),
    /** How long, and how much, of commands' output is kept (the command lines stay): days, and megabytes in all (the oldest go first). */
    output: z
      .object({ days: z.number().min(1).default(365), max_mb: z.number().min(1).default(4096) })
      .strict()
      .default({ days: 365, max_mb: 4096 }),
    /** The briefing shown on attaching after being away at least `after` (off with on: false, or trail attach --no-brief). */
    brief: z
      .object({ on: z.boolean().default(true), after: Duration.default(600_000) })
      .strict()
      .default({ on: true, after: 600_000 }),
    /** The daemon's HTTP server on 127.0.0.1 (MCP at /mcp, for agents with a token): its port (0: any free one), or off. */
    http: z
      .object({ on: z.boolean().default(true), port: z.number().int().min(0).max(65535).default(7433) })
      .strict()
      .default({ on: true, port: 7433 }),
    /** A status line on the bottom row of attached terminals (session, terminal n/N). */
    status: z.boolean().default(false),
    redact: z
      .object({
        /** Extra regular expressions whose matches are replaced by [REDACTED]. */
        patterns: z.array(z.string()).default([]),
        /** Names of built-in patterns to turn off. */
        disable: z.array(z.string()).default([]),
      })
      .strict()
      .default({ patterns: [], disable: [] }),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(file: string): Config {
  if (!existsSync(file)) return ConfigSchema.parse({});
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new Error(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]}); fix or remove the file`);
  }
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}; fix or remove the file`);
  }
  for (const p of r.data.redact.patterns) {
    try {
      compilePatterns([p]);
    } catch (e) {
      throw new Error(
        `${file}: redact.patterns: ${JSON.stringify(p)} is not a regular expression trail can run in linear time (${(e as Error).message}); RE2 syntax, without back-references or lookaround`,
      );
    }
  }
  return r.data;
}

/** The secret patterns a config asks for: the built-in ones it leaves on, then its own. */
export function secretPatterns(redact: Config['redact']): SecretPattern[] {
  return [...DEFAULT_PATTERNS.filter((p) => !redact.disable.includes(p.name)), ...compilePatterns(redact.patterns)];
}
