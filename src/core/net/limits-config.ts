// The [limits] section as a ConnectionLimits: services are the listeners' names, and
// port 25 ("smtp", mail from anyone without AUTH) has its own deadline, which ends
// with the first completed transaction rather than a login.
//
// With several worker processes (`workers`), each worker counts only its own
// connections, so every cap is divided between them, rounded up: the primary hands a
// connection to the worker with the fewest from that client, then the fewest in all
// (src/startup/workers/dispatch.ts), so the shares fill evenly and their sum is the
// configured cap (a cap below the number of workers allows one per worker).

import type { Config } from '../config/schema.ts';
import { ConnectionLimits } from './limits.ts';

export function connectionLimitsFrom(config: Config, workers = 1): ConnectionLimits {
  const l = config.limits;
  const share = (cap: number) => (Number.isFinite(cap) ? Math.ceil(cap / workers) : cap);
  return new ConnectionLimits({
    maxConnections: share(l.max_connections),
    maxPerIp: share(l.max_connections_per_ip),
    maxPerService: share(l.max_connections_per_service),
    maxPerIpPerService: share(l.max_connections_per_ip_per_service),
    preauthDeadlineMs: l.preauth_deadline * 1000,
    serviceDeadlineMs: { smtp: l.mta_deadline * 1000 },
    stressPercent: l.stress_threshold,
    stressDeadlineMs: l.stress_deadline * 1000,
    stressIdleMs: l.stress_idle_timeout * 1000,
  });
}
