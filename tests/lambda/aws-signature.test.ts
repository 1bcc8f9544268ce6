import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { amzDate, signRequest, type AwsCredentials, type SignableRequest } from "../../lambda_functions/jira-handler/aws-signature";

// The AWS SDK's own SigV4 signer is the oracle: the handler's signer must produce its exact Authorization header.

/** What the SDK signer hands its hash: a string, an ArrayBuffer or a view of one. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Buffer =>
  typeof data === "string" ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** The SDK signer's hash interface, on Node's crypto. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

const AT = new Date(Date.UTC(2025, 0, 15, 10, 30, 5, 123));

async function sdkAuthorization(request: SignableRequest, credentials: AwsCredentials, region: string): Promise<string> {
  const [hostname, port] = request.host.split(":");
  const signer = new SignatureV4({ credentials, region, service: "dynamodb", sha256: NodeSha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "https:",
      hostname,
      port: port === undefined ? undefined : Number(port),
      path: request.path,
      query: {},
      headers: { ...request.headers, host: request.host },
      body: request.body,
    },
    { signingDate: AT },
  );
  return signed.headers.authorization;
}

const REQUEST: SignableRequest = {
  method: "POST",
  host: "dynamodb.eu-west-1.amazonaws.com",
  path: "/",
  headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem" },
  body: JSON.stringify({ TableName: "monitoring-hub-jira-tickets-prod", Key: { fingerprint: { S: "ad057032636c783e" } }, ConsistentRead: true }),
};

describe("signRequest", () => {
  it("formats x-amz-date as YYYYMMDDTHHMMSSZ", () => {
    expect(amzDate(AT)).toBe("20250115T103005Z");
  });

  it("signs exactly as the AWS SDK's signer does, with the session token the Lambda runtime provides", async () => {
    const credentials = { accessKeyId: "ASIAEXAMPLEEXAMPLE01", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: "IQoJb3JpZ2luX2VjE//token+with/slashes==" };
    const headers = signRequest(REQUEST, credentials, { region: "eu-west-1", service: "dynamodb" }, AT);

    expect(headers.authorization).toBe(await sdkAuthorization(REQUEST, credentials, "eu-west-1"));
    expect(headers).toMatchObject({
      host: "dynamodb.eu-west-1.amazonaws.com",
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.GetItem",
      "x-amz-date": "20250115T103005Z",
      "x-amz-security-token": credentials.sessionToken,
    });
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE01\/20250115\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it("signs a local endpoint's host with its port, and long-term keys without a token", async () => {
    const local = { ...REQUEST, host: "127.0.0.1:8000", body: '{"TableName":"t","Key":{"fingerprint":{"S":"naïve ✓"}}}' };
    const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-secret" };
    const headers = signRequest(local, credentials, { region: "us-east-1", service: "dynamodb" }, AT);

    expect(headers.authorization).toBe(await sdkAuthorization(local, credentials, "us-east-1"));
    expect(headers).not.toHaveProperty("x-amz-security-token");
  });

  it("changes the signature when the body, the secret or the time changes", () => {
    const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-secret" };
    const scope = { region: "us-east-1", service: "dynamodb" };
    const base = signRequest(REQUEST, credentials, scope, AT).authorization;

    expect(signRequest({ ...REQUEST, body: `${REQUEST.body} ` }, credentials, scope, AT).authorization).not.toBe(base);
    expect(signRequest(REQUEST, { ...credentials, secretAccessKey: "other" }, scope, AT).authorization).not.toBe(base);
    expect(signRequest(REQUEST, credentials, scope, new Date(AT.getTime() + 1000)).authorization).not.toBe(base);
  });
});
