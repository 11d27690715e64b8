/**
 * Secrets never reach a log line, an error, a bundle or a state file. Two nets catch them:
 * every secret Downpour learns (passwords, application-credential secrets, tokens) is registered
 * here and replaced wherever it appears, and well-known shapes (auth headers, JSON secret fields,
 * Keystone fernet tokens) are masked even when they were never registered.
 */
const secrets = new Set<string>();

export const REDACTED = '***';

/** Remember a secret so that every later `redact` call masks it. Short values are ignored to avoid masking noise. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

/** Forget all registered secrets (tests only). */
export function clearSecrets(): void {
  secrets.clear();
}

const SECRET_HEADERS =
  /^(x-auth-token|x-subject-token|x-service-token|authorization|proxy-authorization|cookie|set-cookie|openstack-auth-receipt)$/i;

const PATTERNS: [RegExp, string][] = [
  // "password": "...", "secret": "...", "token": "..." in JSON, including escaped quotes inside
  [
    /("(?:password|secret|application_credential_secret|passcode|token|auth_token|id_token|access_token|user_data|adminPass)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi,
    `$1${REDACTED}$3`,
  ],
  // Header lines in debug output; an Authorization scheme (Bearer, Basic) is kept, its credential is not
  [
    /((?:x-auth-token|x-subject-token|x-service-token|authorization)\s*[:=]\s*)((?:Bearer|Basic|Negotiate|Token)\s+)?([^\s,;]+)/gi,
    `$1$2${REDACTED}`,
  ],
  // Keystone fernet tokens and JWS tokens look like this even when never registered
  [/gAAAAA[A-Za-z0-9_-]{20,}={0,2}/g, REDACTED],
  // URLs with userinfo
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, `$1$2:${REDACTED}@`],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.test(name);
}

/** Headers as they may be logged: secret values replaced by a short, stable fingerprint-free mask. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    out[name] = isSecretHeader(name) ? REDACTED : redact(joined);
  }
  return out;
}
