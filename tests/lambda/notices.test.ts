import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { JiraUnavailableError } from "../../lambda_functions/jira-handler/errors";
import { buildNotice, publishNotice, SUBJECT_MAX_CHARS } from "../../lambda_functions/jira-handler/notices";
import { alarm, metricAlarm } from "./test-helpers";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:monitoring-hub-notices-dev";
const sns = mockClient(SNSClient);

beforeEach(() => sns.reset());

describe("buildNotice", () => {
  const n = alarm(metricAlarm(), "msg-42");
  const error = new JiraUnavailableError("JIRA createIssue failed 8 times (last: HTTP 503).", 8, 503);

  it("says which alarm, what failed and how to replay", () => {
    const notice = buildNotice(n, error, { functionName: "monitoring-hub-jira-dev", requestId: "req-1", attempted: "create a ticket" });

    expect(notice.subject).toBe("JIRA not updated for alarm monitoring-stack-app-error-count");
    expect(notice.message.split("\n")).toEqual([
      "The JIRA handler could not record this CloudWatch alarm state change in JIRA. No ticket was created or updated for it.",
      "",
      "Alarm:          monitoring-stack-app-error-count",
      "State:          OK -> ALARM at 2025-01-15T10:30:12.436+0000",
      "Account/region: 111122223333 / us-east-1",
      "Reason:         Threshold Crossed: 1 out of the last 1 datapoints [3.0 (15/01/25 10:25:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
      `Console:        ${n.consoleUrl}`,
      `Fingerprint:    ${n.fingerprint} (JIRA label alarm-${n.fingerprint})`,
      "SNS message:    msg-42",
      "",
      "What failed:    tried to create a ticket; JiraUnavailableError: JIRA createIssue failed 8 times (last: HTTP 503).",
      "Request id:     req-1",
      "",
      "How to replay: the failed invocation is kept in the on-failure queue (SQS) of Lambda function monitoring-hub-jira-dev.",
      "Once the cause is fixed, re-send it with:",
      "  node -r ts-node/register/transpile-only scripts/replay-failures.ts --queue-url <on-failure queue URL> [--dry-run]",
      "Replaying is safe: state changes that were already handled are skipped.",
    ]);
  });

  it("keeps the subject printable ASCII, on one line and under 100 characters", () => {
    const long = alarm(metricAlarm({ AlarmName: `caf\u00e9 \u{1F525}\n${"n".repeat(200)}` }));

    const { subject } = buildNotice(long, error, {});

    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith("JIRA not updated for alarm caf? ?")).toBe(true);
    expect(subject.endsWith("...")).toBe(true);
  });
});

describe("publishNotice", () => {
  it("publishes subject and message to the fallback topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m" });

    await publishNotice(async () => new SNSClient({ region: "us-east-1" }), TOPIC, { subject: "S", message: "M" });

    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([{ TopicArn: TOPIC, Subject: "S", Message: "M" }]);
  });
});
