/**
 * Replays alarm notifications that the JIRA handler could not record, from its on-failure SQS queue.
 *
 *   node -r ./scripts/register-ts.js scripts/replay-failures.ts --queue-url URL [--function NAME] [--dry-run]
 *
 * Each message is re-sent to the function as an asynchronous invocation, and deleted only once Lambda accepted the
 * invocation (HTTP 202). Replaying is safe: the handler skips state changes it already handled. With --dry-run the
 * messages are only listed; they become visible again after 30 s.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { parseRecord } from "../lambda_functions/jira-handler/notification";

/** A payload to re-invoke the handler with, and where it came from. */
export interface Replay {
  /** The SNS event the handler originally received (or, from a subscription DLQ, one rebuilt around the message). */
  readonly payload: { readonly Records: readonly unknown[] };
  /** From the on-failure record (`requestContext.functionArn`); `--function` overrides it. */
  readonly functionArn?: string;
  /** `RetriesExhausted`, `EventAgeExceeded`... from the on-failure record. */
  readonly condition?: string;
  readonly source: "on-failure-record" | "sns-event" | "sns-notification";
}

/** Why a message cannot be replayed; it is kept in the queue. */
export interface Unreplayable {
  readonly error: string;
}

/**
 * Reads one SQS message body. Accepts a Lambda on-failure destination record (`requestPayload` holds the original SNS
 * event), a bare SNS event (a function dead-letter queue gets only the event), and an SNS notification envelope (the
 * subscription's redrive queue keeps what SNS could not deliver), which is wrapped into a one-record SNS event.
 */
export function extractReplay(body: string): Replay | Unreplayable {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return { error: "message body is not JSON" };
  }
  if (!isObject(message)) return { error: "message body is not a JSON object" };
  if ("requestPayload" in message) {
    const payload = message.requestPayload;
    if (!isSnsEvent(payload)) return { error: "requestPayload is not an SNS event (no Records array)" };
    const context = isObject(message.requestContext) ? message.requestContext : {};
    return {
      payload,
      functionArn: typeof context.functionArn === "string" ? context.functionArn : undefined,
      condition: typeof context.condition === "string" ? context.condition : undefined,
      source: "on-failure-record",
    };
  }
  if (isSnsEvent(message)) return { payload: message, source: "sns-event" };
  if (message.Type === "Notification" && typeof message.Message === "string") {
    return {
      payload: {
        Records: [
          {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: "replayed-from-subscription-dlq",
            Sns: { ...message, SigningCertUrl: message.SigningCertURL, UnsubscribeUrl: message.UnsubscribeURL },
          },
        ],
      },
      source: "sns-notification",
    };
  }
  return { error: "not an on-failure record, an SNS event or an SNS notification" };
}

/** The alarm names in a payload, for the operator's log. */
export function alarmNames(payload: Replay["payload"]): string[] {
  return payload.Records.map((record) => {
    const parsed = parseRecord(record);
    return parsed.kind === "not-an-alarm" ? `(not an alarm: ${parsed.reason})` : `${parsed.alarmName} ${parsed.state}`;
  });
}

/** Command-line options. */
export interface Options {
  readonly queueUrl: string;
  readonly functionName?: string;
  readonly dryRun: boolean;
}

export function parseArgs(argv: readonly string[]): Options {
  let queueUrl: string | undefined;
  let functionName: string | undefined;
  let dryRun = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--dry-run") dryRun = true;
    else if (arg === "--queue-url" || arg === "--function") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new Error(`${arg} needs a value`);
      if (arg === "--queue-url") queueUrl = value;
      else functionName = value;
      i += 1;
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (queueUrl === undefined) throw new Error("--queue-url is required");
  return { queueUrl, functionName, dryRun };
}

async function main(options: Options): Promise<number> {
  const sqs = new SQSClient({});
  const lambda = new LambdaClient({});
  let replayed = 0;
  let kept = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.dryRun ? 30 : 120,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const replay = extractReplay(message.Body ?? "");
      if ("error" in replay) {
        kept += 1;
        console.error(`kept ${message.MessageId}: ${replay.error}`);
        continue;
      }
      const target = options.functionName ?? replay.functionArn;
      const what = `${message.MessageId} [${alarmNames(replay.payload).join("; ")}]${replay.condition === undefined ? "" : ` (${replay.condition})`}`;
      if (target === undefined) {
        kept += 1;
        console.error(`kept ${what}: no function ARN in the message; pass --function`);
        continue;
      }
      if (options.dryRun) {
        console.log(`would replay ${what} to ${target}`);
        continue;
      }
      const { StatusCode } = await lambda.send(
        new InvokeCommand({ FunctionName: target, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(replay.payload)) }),
      );
      if (StatusCode !== 202) {
        kept += 1;
        console.error(`kept ${what}: Lambda answered ${StatusCode} instead of 202`);
        continue;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      replayed += 1;
      console.log(`replayed ${what} to ${target}`);
    }
  }
  console.log(`${options.dryRun ? "dry run: nothing sent" : `${replayed} replayed`}, ${kept} kept in the queue`);
  return kept === 0 ? 0 : 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSnsEvent(value: unknown): value is Replay["payload"] {
  return isObject(value) && Array.isArray(value.Records);
}

if (require.main === module) {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: replay-failures.ts --queue-url URL [--function NAME] [--dry-run]`);
    process.exit(2);
  }
  main(options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
