import * as http from "node:http";
import * as https from "node:https";
import { signRequest, type AwsCredentials } from "./aws-signature";
import { ConfigError } from "./errors";

/**
 * The tickets table's three calls (GetItem, PutItem, UpdateItem) in DynamoDB's JSON protocol over Node's own HTTP,
 * signed with SigV4. The AWS SDK's DynamoDB client runs a few hundred functions per call (middleware stack, endpoint
 * rules, schema serde), which V8 then optimizes; with three calls per notification that cost the 128 MB function
 * about 6 MB of peak RSS in `npm run bench`. Secrets Manager (once per container) and SNS (notices only) keep the SDK.
 */

/** One attribute of an item, in DynamoDB's JSON (only the types the tickets table uses). */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly BOOL?: boolean;
}

export type Item = Record<string, AttributeValue>;

export interface GetItemInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConsistentRead?: boolean;
}

export interface PutItemInput {
  readonly TableName: string;
  readonly Item: Item;
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeValues?: Item;
}

export interface UpdateItemInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly UpdateExpression: string;
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeValues?: Item;
  readonly ReturnValues?: "NONE" | "ALL_NEW";
}

/** DynamoDB answered with an error, or could not be reached in {@link MAX_ATTEMPTS} attempts. */
export class DynamoDbError extends Error {
  constructor(
    /** DynamoDB's error type, e.g. `ConditionalCheckFailedException`; `NetworkError` when nothing was answered. */
    override readonly name: string,
    message: string,
    /** HTTP status of the answer, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The SDK's default for DynamoDB: the first attempt and two retries. */
export const MAX_ATTEMPTS = 3;
/** DynamoDB answers in milliseconds; a hung connection must not eat the invocation's time for JIRA. */
export const ATTEMPT_TIMEOUT_MS = 3000;
/** Full-jitter backoff base; the retries of one call wait at most 50 + 100 ms. */
const BASE_DELAY_MS = 50;
/** Error types that a later attempt can pass (throttling); every 5xx and network failure is retried too. */
const RETRYABLE_TYPES = new Set(["ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"]);

/** How {@link DynamoDb} reaches DynamoDB. */
export interface DynamoDbOptions {
  readonly endpoint: URL;
  readonly region: string;
  /** Read per request, as the SDK's environment provider does. */
  readonly credentials: () => AwsCredentials;
  /** @default ATTEMPT_TIMEOUT_MS */
  readonly attemptTimeoutMs?: number;
  /** Scales the backoff between attempts. @default Math.random */
  readonly random?: () => number;
}

/**
 * The endpoint, region and credentials the Lambda runtime provides, honouring the SDK's endpoint variables as DESIGN.md
 * requires (`AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL`), and the SDK's `AWS_USE_FIPS_ENDPOINT`.
 * @throws ConfigError naming the missing or malformed variable.
 */
export function dynamoDbOptionsFromEnvironment(env: NodeJS.ProcessEnv): DynamoDbOptions {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError("AWS_REGION is not set; the Lambda runtime sets it, set it yourself elsewhere.");
  const endpoint = configuredEndpoint(env) ?? new URL(defaultEndpoint(region, env.AWS_USE_FIPS_ENDPOINT === "true"));
  return { endpoint, region, credentials: () => credentialsFrom(env) };
}

function configuredEndpoint(env: NodeJS.ProcessEnv): URL | undefined {
  for (const name of ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"] as const) {
    const value = env[name];
    if (!value) continue;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url?.protocol !== "http:" && url?.protocol !== "https:") {
      throw new ConfigError(`${name} is not an http(s) URL (${value}); set it to e.g. http://127.0.0.1:8000 or unset it.`);
    }
    return url;
  }
  return undefined;
}

/** DynamoDB's regional endpoint; China's regions have their own domain. */
export function defaultEndpoint(region: string, fips: boolean): string {
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://dynamodb${fips ? "-fips" : ""}.${region}.${domain}`;
}

function credentialsFrom(env: NodeJS.ProcessEnv): AwsCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; the Lambda runtime sets them from the execution role.");
  }
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
}

/** What one HTTP exchange gave: DynamoDB's answer, or the network failure that stopped it. */
type Exchange = { readonly status: number; readonly body: string } | { readonly failure: Error };

/** A DynamoDB client for the tickets table: kept-alive connections, SigV4, three attempts as the SDK's default. */
export class DynamoDb {
  readonly #options: DynamoDbOptions;
  readonly #agent: http.Agent;

  constructor(options: DynamoDbOptions) {
    this.#options = options;
    this.#agent = options.endpoint.protocol === "https:" ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  async getItem(input: GetItemInput): Promise<{ readonly Item?: Item }> {
    return (await this.#call("GetItem", input)) as { Item?: Item };
  }

  async putItem(input: PutItemInput): Promise<void> {
    await this.#call("PutItem", input);
  }

  async updateItem(input: UpdateItemInput): Promise<{ readonly Attributes?: Item }> {
    return (await this.#call("UpdateItem", input)) as { Attributes?: Item };
  }

  /** Closes the kept-alive connection (for a process that is done with DynamoDB; the Lambda never is). */
  destroy(): void {
    this.#agent.destroy();
  }

  async #call(operation: string, input: object): Promise<unknown> {
    const body = JSON.stringify(input);
    const random = this.#options.random ?? Math.random;
    for (let attempt = 1; ; attempt += 1) {
      const exchange = await this.#exchange(operation, body);
      if ("status" in exchange && exchange.status === 200) return JSON.parse(exchange.body) as unknown;
      const error = "failure" in exchange ? new DynamoDbError("NetworkError", `DynamoDB ${operation}: ${exchange.failure.message}`) : errorOf(operation, exchange);
      const retryable = error.status === undefined || error.status >= 500 || RETRYABLE_TYPES.has(error.name);
      if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, random() * BASE_DELAY_MS * 2 ** (attempt - 1)));
    }
  }

  #exchange(operation: string, body: string): Promise<Exchange> {
    const { endpoint, region } = this.#options;
    const headers = signRequest(
      {
        method: "POST",
        host: endpoint.host,
        path: "/",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
        body,
      },
      this.#options.credentials(),
      { region, service: "dynamodb" },
      new Date(),
    );
    const transport = endpoint.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
      const request = transport.request(
        endpoint,
        {
          method: "POST",
          path: "/",
          agent: this.#agent,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
          signal: AbortSignal.timeout(this.#options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          response.on("error", (failure) => resolve({ failure }));
        },
      );
      request.on("error", (failure) => resolve({ failure }));
      request.end(body);
    });
  }
}

/** DynamoDB's error answer: `{"__type": "com.amazonaws.dynamodb.v20120810#Name", "message": "..."}`. */
function errorOf(operation: string, answer: { readonly status: number; readonly body: string }): DynamoDbError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    // A proxy's or load balancer's non-JSON answer: the status says enough.
  }
  const type = typeof parsed.__type === "string" ? parsed.__type.slice(parsed.__type.lastIndexOf("#") + 1) : `Http${answer.status}`;
  const message = typeof parsed.message === "string" ? parsed.message : typeof parsed.Message === "string" ? parsed.Message : "";
  return new DynamoDbError(type, `DynamoDB ${operation} answered ${answer.status} ${type}${message ? `: ${message}` : ""}`, answer.status);
}
