// The example worker's HTTP settings (/metrics, /healthz, /readyz), read from the environment apart from
// the handler and queue settings in config.ts; a bad value names the variable (ConfigError).
import { ConfigError } from './config.js';

export interface HttpConfig {
  /** METRICS_HOST. @default '0.0.0.0' (a scraper in the cluster must reach it) */
  host: string;
  /** METRICS_PORT; 0 takes a free port (logged), as `sfn-bullmq dev` does for several workers. @default 9465 */
  port: number;
}

export function loadHttpConfig(env: NodeJS.ProcessEnv): HttpConfig {
  const host =
    env['METRICS_HOST'] === undefined || env['METRICS_HOST'] === '' ? '0.0.0.0' : env['METRICS_HOST'];
  const raw = env['METRICS_PORT'];
  if (raw === undefined || raw === '') return { host, port: 9465 };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([
      { variable: 'METRICS_PORT', message: `must be a port number in 0–65535, got '${raw}'` },
    ]);
  }
  return { host, port };
}
