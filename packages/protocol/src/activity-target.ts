// Where SfnActivityClient sends its calls: the URL (the given endpoint, or the SDK's endpoint rules for
// the region) and a signer for that region, resolved once per client through the SDK's config.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { SigV4Signer } from './sigv4.js';

const SERVICE = 'states';

/** One resolved endpoint: where the calls go and the signer for its region. */
export interface ActivityTarget {
  /** `https://states.us-east-1.amazonaws.com`, the emulator's `http://127.0.0.1:8083`. */
  origin: string;
  /** `host` header as signed and sent. */
  host: string;
  path: string;
  signer: SigV4Signer;
}

/** Resolves `endpoint` (when given) or the region's endpoint by the SDK's rules; sends no request. */
export async function resolveActivityTarget(
  config: SFNClient['config'],
  endpoint: string | undefined,
): Promise<ActivityTarget> {
  const region = await config.region();
  let url: URL;
  if (endpoint !== undefined) {
    url = new URL(endpoint);
  } else {
    const resolved = config.endpointProvider({
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
    });
    url = new URL(resolved.url.href);
  }
  return {
    origin: url.origin,
    host: url.host,
    path: url.pathname === '' ? '/' : url.pathname,
    signer: new SigV4Signer(region, SERVICE),
  };
}
