import { createHash, createHmac } from "node:crypto";

/** The execution role's temporary credentials, as the Lambda runtime puts them in the environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request to sign: a POST-style call to the service root, no query string (what AWS's JSON protocols use). */
export interface SignableRequest {
  readonly method: string;
  /** `host[:port]`, exactly as it will be sent in the Host header. */
  readonly host: string;
  /** The already URI-encoded path, e.g. `/`. */
  readonly path: string;
  /** Headers to sign besides `host`, `x-amz-date` and `x-amz-security-token` (added here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Where the signature is valid: the region and the service's signing name (e.g. `dynamodb`). */
export interface SigningScope {
  readonly region: string;
  readonly service: string;
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** `YYYYMMDDTHHMMSSZ`, the timestamp format of `x-amz-date`. */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Signature Version 4 (AWS's "Create a signed AWS API request"): returns every header to send, `authorization`
 * included. All given headers are signed, so none may change after signing; `content-length` may be added.
 */
export function signRequest(request: SignableRequest, credentials: AwsCredentials, scope: SigningScope, at: Date): Record<string, string> {
  const timestamp = amzDate(at);
  const day = timestamp.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  headers["x-amz-date"] = timestamp;
  if (credentials.sessionToken !== undefined) headers["x-amz-security-token"] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    request.method,
    request.path,
    "",
    ...names.map((name) => `${name}:${headers[name].trim().replace(/\s+/g, " ")}`),
    "",
    signedHeaders,
    sha256Hex(request.body),
  ].join("\n");
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", timestamp, credentialScope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), scope.region), scope.service), "aws4_request");
  const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
