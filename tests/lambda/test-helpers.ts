import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { SNSEvent, SNSEventRecord } from "aws-lambda";
import { DynamoDb } from "../../lambda_functions/jira-handler/dynamodb";
import type { Log, LogFields } from "../../lambda_functions/jira-handler/logger";
import { parseRecord, type AlarmNotification } from "../../lambda_functions/jira-handler/notification";
import { createTicketsTable } from "../support/local-aws";

/** The notification fixtures the repository keeps (FACTS.md "Fixture notes"). */
const FIXTURES_DIR = join(__dirname, "..", "..", "fixtures");

export function fixture<T = SNSEvent>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), "utf8")) as T;
}

/** An SNS record around `message` (an object is JSON-encoded as CloudWatch does). */
export function snsRecord(message: unknown, messageId = "msg-1"): SNSEventRecord {
  const base = fixture("sns-metric-alarm-ALARM.json").Records[0];
  return { ...base, Sns: { ...base.Sns, MessageId: messageId, Message: typeof message === "string" ? message : JSON.stringify(message) } };
}

/** The metric-alarm fixture's message with some fields replaced. */
export function metricAlarm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const message = JSON.parse(fixture("sns-metric-alarm-ALARM.json").Records[0].Sns.Message) as Record<string, unknown>;
  return { ...message, ...overrides };
}

/** Parses and insists on an alarm, for tests that need a notification value. */
export function alarm(message: unknown, messageId?: string): AlarmNotification {
  const parsed = parseRecord(snsRecord(message, messageId));
  if (parsed.kind === "not-an-alarm") throw new Error(`fixture is not an alarm: ${parsed.reason}`);
  return parsed;
}

export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: LogFields;
}

/** A Log that keeps every line for assertions. */
export function recordingLog(): Log & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (message: string, fields: LogFields = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** An in-memory DynamoDB (dynalite) on loopback with the tickets table created as the stack creates it. */
export async function startDynamo(tableName: string): Promise<{
  /** The AWS SDK's client, for a test's own look at the table. */
  client: DynamoDBClient;
  /** The handler's own client, as the TicketStore uses it. */
  table: DynamoDb;
  endpoint: string;
  stop: () => Promise<void>;
}> {
  // dynalite ships no type declarations.
  const dynalite = require("dynalite") as (options: { createTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await createTicketsTable(client, tableName);
  const table = new DynamoDb({ endpoint: new URL(endpoint), region: "us-east-1", credentials: () => ({ accessKeyId: "test", secretAccessKey: "test" }) });
  return {
    client,
    table,
    endpoint,
    stop: async () => {
      client.destroy();
      table.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One request the scripted server received. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
}
export type Responder = (res: ServerResponse, req: IncomingMessage) => void;

/** A loopback HTTP server answering each request with the next scripted responder (the last one repeats). */
export class ScriptedServer {
  readonly requests: Recorded[] = [];
  #script: Responder[] = [];
  #server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.#server = createServer(async (req, res) => {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      this.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw === "" ? undefined : JSON.parse(raw) });
      const next = this.#script.length > 1 ? this.#script.shift() : this.#script[0];
      (next ?? json(500, {}))(res, req);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  script(...responders: Responder[]): void {
    this.#script = responders;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
}
export const noContent: Responder = (res) => {
  res.writeHead(204);
  res.end();
};
export const dropConnection: Responder = (_res, req) => req.socket.destroy();
export const hang: Responder = () => undefined;
