// The AWS SDK's own SigV4 signer on node:crypto, the reference our signer is checked against.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

// The signer wants a hash constructor with update()/digest() giving bytes; given a secret it is an
// HMAC (how the signer derives its keys).
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export function sdkSigner(
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): SignatureV4 {
  // applyChecksum off: x-amz-content-sha256 is S3's header, which the SDK does not send to Step Functions.
  return new SignatureV4({ service: 'states', region, credentials, sha256: Sha256, applyChecksum: false });
}
