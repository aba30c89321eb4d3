// The kinds of a service's life events. Here rather than in the contract so
// that reading them loads no schema library: `trail up` starts faster without.

/** The events of a service's life, as the trail keeps them (trail log, the briefing, trail up). */
export const SERVICE_EVENT_KINDS = ['service.started', 'service.ready', 'service.exited', 'service.restarting', 'service.gave_up', 'service.failed', 'service.stopped', 'service.orphans'] as const;

export type ServiceEventKind = (typeof SERVICE_EVENT_KINDS)[number];
