import { alarmNames, extractReplay, parseArgs } from "../../scripts/replay-failures";
import { fixture } from "../lambda/test-helpers";

const SNS_EVENT = fixture("sns-metric-alarm-ALARM.json");

/** The shape Lambda writes to an on-failure destination (AWS Lambda developer guide, "invocation-async"). */
const onFailureRecord = {
  version: "1.0",
  timestamp: "2025-01-15T10:31:15.000Z",
  requestContext: {
    requestId: "e4b46cbf-b738-xmpl-8880-a18cdf61200e",
    functionArn: "arn:aws:lambda:us-east-1:111122223333:function:monitoring-hub-jira-dev:$LATEST",
    condition: "RetriesExhausted",
    approximateInvokeCount: 1,
  },
  requestPayload: SNS_EVENT,
  responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
  responsePayload: { errorType: "Error", errorMessage: "1 alarm notification(s) not recorded in JIRA" },
};

describe("extractReplay", () => {
  it("takes the original SNS event and the function from an on-failure destination record", () => {
    expect(extractReplay(JSON.stringify(onFailureRecord))).toEqual({
      payload: SNS_EVENT,
      functionArn: "arn:aws:lambda:us-east-1:111122223333:function:monitoring-hub-jira-dev:$LATEST",
      condition: "RetriesExhausted",
      source: "on-failure-record",
    });
  });

  it("accepts a bare SNS event, as a function dead-letter queue stores it", () => {
    expect(extractReplay(JSON.stringify(SNS_EVENT))).toEqual({ payload: SNS_EVENT, source: "sns-event" });
  });

  it("wraps an SNS notification from the subscription's redrive queue into a one-record SNS event", () => {
    const sns = SNS_EVENT.Records[0].Sns;
    const notification = { ...sns, SigningCertURL: sns.SigningCertUrl, UnsubscribeURL: sns.UnsubscribeUrl };

    const replay = extractReplay(JSON.stringify(notification));

    expect(replay).toMatchObject({ source: "sns-notification", payload: { Records: [{ EventSource: "aws:sns", Sns: { Message: sns.Message, SigningCertUrl: sns.SigningCertUrl } }] } });
    expect("payload" in replay && alarmNames(replay.payload)).toEqual(["monitoring-stack-app-error-count ALARM"]);
  });

  it.each([
    ["not JSON", "{", "message body is not JSON"],
    ["a JSON array", "[]", "message body is not a JSON object"],
    ["a record without an SNS event", JSON.stringify({ ...onFailureRecord, requestPayload: { foo: 1 } }), "requestPayload is not an SNS event (no Records array)"],
    ["something else", JSON.stringify({ hello: "world" }), "not an on-failure record, an SNS event or an SNS notification"],
  ])("keeps %s in the queue with the reason", (_case, body, error) => {
    expect(extractReplay(body)).toEqual({ error });
  });
});

describe("alarmNames", () => {
  it("labels each record with its alarm and state, or why it is not an alarm", () => {
    expect(alarmNames({ Records: [...SNS_EVENT.Records, { Sns: { Message: "x" } }] })).toEqual([
      "monitoring-stack-app-error-count ALARM",
      "(not an alarm: Sns.Message is not JSON)",
    ]);
  });
});

describe("parseArgs", () => {
  it.each([
    [["--queue-url", "https://sqs/q"], { queueUrl: "https://sqs/q", functionName: undefined, dryRun: false }],
    [["--dry-run", "--queue-url", "https://sqs/q", "--function", "fn"], { queueUrl: "https://sqs/q", functionName: "fn", dryRun: true }],
  ])("reads %j", (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], "--queue-url is required"],
    [["--queue-url"], "--queue-url needs a value"],
    [["--queue-url", "--dry-run"], "--queue-url needs a value"],
    [["--queue-url", "u", "--force"], "unknown argument --force"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
