// Credentials for an emulator on loopback: it takes any, but the AWS SDK's chain finds none on a
// laptop without AWS set up, and every poll then fails with CredentialsProviderError.
import { isLoopbackHost } from '../http/board-auth.js';

/** What the emulator banner tells other clients to set, and what the CLI fills in. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The variables that show the user chose credentials: then the standard chain decides, even on loopback. */
const CHOSEN = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/**
 * Dummy credentials when `endpoint` is on loopback (an emulator, LocalStack) and the environment
 * names no credentials; undefined otherwise (real AWS, or a user who set some).
 */
export function loopbackCredentials(
  endpoint: string | undefined,
  env: Record<string, string | undefined>,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  if (endpoint === undefined || !URL.canParse(endpoint)) return undefined;
  if (!isLoopbackHost(new URL(endpoint).hostname)) return undefined;
  if (CHOSEN.some((name) => (env[name] ?? '') !== '')) return undefined;
  return { ...DUMMY_CREDENTIALS };
}
