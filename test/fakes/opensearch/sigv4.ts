import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The keys the fake checks signatures with. */
export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Parses a SigV4 `Authorization` header, or returns undefined. */
export function parseAuthorization(
  header: string | undefined,
): SigV4Authorization | undefined {
  const match = AUTHORIZATION.exec(header ?? '');
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, headers, signature] = match;
  return {
    accessKeyId: accessKeyId ?? '',
    date: date ?? '',
    region: region ?? '',
    service: service ?? '',
    signedHeaders: (headers ?? '').split(';'),
    signature: signature ?? '',
  };
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** URI-encodes as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Builds the canonical URI: for services other than S3, each segment of
 * the path as sent (already encoded once) is encoded once more.
 */
function canonicalPath(path: string): string {
  return path.split('/').map(encodeRfc3986).join('/');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query.split('&').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    const decode = (text: string) =>
      decodeURIComponent(text.replace(/\+/g, ' '));
    return [encodeRfc3986(decode(key)), encodeRfc3986(decode(value))];
  });
  pairs.sort(([a = '', b = ''], [c = '', d = '']) =>
    a === c ? (b < d ? -1 : 1) : a < c ? -1 : 1,
  );
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

/** One request as received, for signature checks. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Checks a request's SigV4 signature against the credentials, as AWS
 * does in front of a domain or collection. Returns why it fails, or
 * undefined when the signature is valid.
 */
export function verifySigV4(
  request: SignedRequest,
  credentials: FakeCredentials,
): string | undefined {
  const auth = parseAuthorization(request.headers.authorization as string);
  if (!auth) return 'missing or malformed Authorization header';
  if (auth.accessKeyId !== credentials.accessKeyId) {
    return `unknown access key ${auth.accessKeyId}`;
  }
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (!amzDate.startsWith(auth.date))
    return 'x-amz-date does not match the scope';

  const bodyHash = sha256Hex(request.body);
  const claimed = headerValue(request.headers, 'x-amz-content-sha256');
  if (claimed && claimed !== bodyHash)
    return 'x-amz-content-sha256 does not match the body';

  const [path = '', query = ''] = request.url.split('?');
  const canonical = [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    ...auth.signedHeaders.map(
      (name) => `${name}:${headerValue(request.headers, name)}`,
    ),
    '',
    auth.signedHeaders.join(';'),
    claimed || bodyHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    sha256Hex(canonical),
  ].join('\n');

  let key = hmac(`AWS4${credentials.secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request'])
    key = hmac(key, part);
  const expected = createHmac('sha256', key)
    .update(toSign, 'utf8')
    .digest('hex');
  return expected === auth.signature ? undefined : 'signature does not match';
}
