// AWS Signature Version 4 for the one request shape Step Functions' awsJson 1.0
// protocol uses (POST, no query string), on node:crypto with the day's signing key cached.
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface SignableRequest {
  /** `host` as sent, with `:port` when the port is not the scheme's default. */
  host: string;
  /** The URL path, e.g. `/`. Signed as given: callers pass a path that needs no escaping. */
  path: string;
  /** Further headers to sign, names in lower case (`content-type`, `x-amz-target`). */
  headers: Readonly<Record<string, string>>;
  body: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Signs POST requests for one service and region; keeps the derived key for the current UTC day. */
export class SigV4Signer {
  private keyFor: { secret: string; day: string; key: Buffer } | undefined;

  constructor(
    private readonly region: string,
    private readonly service: string,
  ) {}

  /**
   * The headers to add to the request: `x-amz-date`, `authorization` and, for temporary credentials,
   * `x-amz-security-token`. `now` is the (skew-corrected) signing time.
   */
  sign(request: SignableRequest, credentials: SigningCredentials, now: Date): Record<string, string> {
    const amzDate = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const added: Record<string, string> = { 'x-amz-date': amzDate };
    if (credentials.sessionToken !== undefined && credentials.sessionToken !== '') {
      added['x-amz-security-token'] = credentials.sessionToken;
    }
    const signed: Record<string, string> = { ...request.headers, host: request.host, ...added };
    const names = Object.keys(signed).sort();
    const canonicalHeaders = names.map((name) => `${name}:${trimValue(signed[name] ?? '')}\n`).join('');
    const signedHeaders = names.join(';');
    const canonicalRequest = [
      'POST',
      request.path,
      '', // no query string
      canonicalHeaders,
      signedHeaders,
      sha256Hex(request.body),
    ].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(credentials.secretAccessKey, day))
      .update(stringToSign, 'utf8')
      .digest('hex');
    added['authorization'] =
      `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return added;
  }

  // Four HMACs per day and secret instead of per request.
  private signingKey(secret: string, day: string): Buffer {
    const cached = this.keyFor;
    if (cached !== undefined && cached.secret === secret && cached.day === day) return cached.key;
    const kDate = hmac(`AWS4${secret}`, day);
    const kRegion = hmac(kDate, this.region);
    const kService = hmac(kRegion, this.service);
    const key = hmac(kService, 'aws4_request');
    this.keyFor = { secret, day, key };
    return key;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

// SigV4 trims header values and folds inner runs of spaces into one.
function trimValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}
