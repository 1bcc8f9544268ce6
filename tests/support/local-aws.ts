import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import dynalite from "dynalite";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";

/** Options of {@link startLocalAws}. */
export interface LocalAwsOptions {
  /** The SecretString GetSecretValue returns (the JIRA credential JSON of DESIGN.md). */
  readonly secretString: string;
  /** @default DEFAULT_SECRET_ARN */
  readonly secretArn?: string;
  /** @default "monitoring-hub-tickets-test" */
  readonly tableName?: string;
}

/** One SNS Publish the stub received. */
export interface PublishedNotice {
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly messageId: string;
}

/** Running loopback endpoints for the handler's AWS calls. */
export interface LocalAws {
  /** Environment for the handler process: endpoints, region and dummy credentials (set these before it loads). */
  readonly env: Readonly<Record<string, string>>;
  readonly secretArn: string;
  readonly tableName: string;
  /** Every SNS Publish, oldest first. */
  readonly notices: PublishedNotice[];
  /** How many GetSecretValue calls were answered (the handler caches the secret). */
  secretReads(): number;
  /** Every item of the tickets table, as plain values (S and N attributes). */
  records(): Promise<Array<Record<string, unknown>>>;
  /** Removes the table record of a fingerprint, as if it had been lost. */
  deleteRecord(fingerprint: string): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:monitoring-hub-jira-test-AbCdEf";
const REGION = "us-east-1";

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Starts dynalite (an in-memory DynamoDB) with the tickets table (partition key `fingerprint`, S) and one stub for
 * Secrets Manager (JSON 1.1, GetSecretValue) and SNS (query protocol, Publish). Both the TypeScript handler and its
 * esbuild bundle (which carries its own SDK) reach them through the SDK's standard endpoint variables.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const secretArn = options.secretArn ?? DEFAULT_SECRET_ARN;
  const tableName = options.tableName ?? "monitoring-hub-tickets-test";
  const secretName = secretArn.split(":")[6]?.replace(/-[A-Za-z0-9]{6}$/, "");
  const notices: PublishedNotice[] = [];
  let reads = 0;

  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoUrl = await listen(db);

  const stub = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const target = req.headers["x-amz-target"];
      if (target !== undefined) {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() });
          res.end(JSON.stringify(body));
        };
        const request = JSON.parse(raw === "" ? "{}" : raw) as { SecretId?: string };
        if (target !== "secretsmanager.GetSecretValue") {
          reply(400, { __type: "InvalidRequestException", message: `${String(target)} is not stubbed` });
        } else if (request.SecretId !== secretArn && request.SecretId !== secretName) {
          reply(400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
        } else {
          reads += 1;
          reply(200, { ARN: secretArn, Name: secretName, SecretString: options.secretString, VersionId: "00000000-0000-4000-8000-000000000001", VersionStages: ["AWSCURRENT"], CreatedDate: 1736935812.0 });
        }
        return;
      }
      const form = new URLSearchParams(raw);
      const requestId = randomUUID();
      res.setHeader("content-type", "text/xml");
      if (form.get("Action") !== "Publish" || !form.get("TopicArn") || form.get("Message") === null) {
        res.statusCode = 400;
        res.end(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>only Publish with TopicArn and Message is stubbed</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
        return;
      }
      const messageId = randomUUID();
      notices.push({ topicArn: form.get("TopicArn")!, subject: form.get("Subject") ?? undefined, message: form.get("Message")!, messageId });
      res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${xmlEscape(messageId)}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`);
    });
  });
  const stubUrl = await listen(stub);

  const client = new DynamoDBClient({ region: REGION, endpoint: dynamoUrl, credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } });
  await createTicketsTable(client, tableName);

  const noConfig = path.join(os.tmpdir(), "monitoring-hub-tests-no-aws-config");
  return {
    env: {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
      AWS_SECRET_ACCESS_KEY: "local-secret",
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stubUrl,
      AWS_ENDPOINT_URL_SNS: stubUrl,
      AWS_CONFIG_FILE: noConfig,
      AWS_SHARED_CREDENTIALS_FILE: noConfig,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    secretArn,
    tableName,
    notices,
    secretReads: () => reads,
    async records() {
      const items = (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
      return items.map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)])));
    },
    async deleteRecord(fingerprint: string) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { fingerprint: { S: fingerprint } } }));
    },
    async stop() {
      client.destroy();
      await close(stub);
      await close(db);
    },
  };
}

/** Creates the tickets table as the stack creates it (partition key `fingerprint`, S; on demand) and waits until it is active. */
export async function createTicketsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: "fingerprint", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "fingerprint", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (let status = ""; status !== "ACTIVE"; ) {
    status = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus ?? "";
  }
}

function plain(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plain(v)]));
  if (value.SS !== undefined) return [...value.SS];
  return value;
}
