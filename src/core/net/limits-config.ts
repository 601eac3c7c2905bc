// The [limits] section as a ConnectionLimits: services are the listeners' names, and
// port 25 ("smtp", mail from anyone without AUTH) has its own deadline, which ends
// with the first completed transaction rather than a login.

import type { Config } from '../config/schema.ts';
import { ConnectionLimits } from './limits.ts';

export function connectionLimitsFrom(config: Config): ConnectionLimits {
  const l = config.limits;
  return new ConnectionLimits({
    maxConnections: l.max_connections,
    maxPerIp: l.max_connections_per_ip,
    maxPerService: l.max_connections_per_service,
    maxPerIpPerService: l.max_connections_per_ip_per_service,
    preauthDeadlineMs: l.preauth_deadline * 1000,
    serviceDeadlineMs: { smtp: l.mta_deadline * 1000 },
    stressPercent: l.stress_threshold,
    stressDeadlineMs: l.stress_deadline * 1000,
    stressIdleMs: l.stress_idle_timeout * 1000,
  });
}
