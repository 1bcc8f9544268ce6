import { consoleUrl, fingerprint, parseRecord } from "../../lambda_functions/jira-handler/notification";
import { fixture, metricAlarm, snsRecord } from "./test-helpers";

const APP_ERROR_ARN = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:monitoring-stack-app-error-count";
// Independently computed: printf '%s' "<input>" | sha256sum | cut -c1-16
const APP_ERROR_FP = "5f94f23dc86c142e";

describe("parseRecord", () => {
  it("parses the metric ALARM fixture into a metric alarm with its region taken from AlarmArn", () => {
    const parsed = parseRecord(fixture("sns-metric-alarm-ALARM.json").Records[0]);

    expect(parsed).toEqual({
      kind: "metric",
      messageId: "3b1f6a52-7c0e-5d2a-9f4b-8e6c1a0d2f31",
      alarmName: "monitoring-stack-app-error-count",
      alarmArn: APP_ERROR_ARN,
      accountId: "111122223333",
      region: "us-east-1",
      partition: "aws",
      fingerprint: APP_ERROR_FP,
      consoleUrl: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/monitoring-stack-app-error-count",
      description: "Counts log lines containing the ERROR level in /monitoring-stack/application",
      state: "ALARM",
      previousState: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (15/01/25 10:25:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
      stateChangeTime: "2025-01-15T10:30:12.436+0000",
      stateChangedAt: Date.UTC(2025, 0, 15, 10, 30, 12, 436),
      runbookUrl: undefined,
      missingData: false,
      metric: {
        namespace: "MonitoringStack/Application",
        metricName: "ApplicationErrorCount",
        dimensions: [],
        statistic: "SUM",
        period: 300,
        unit: undefined,
      },
      rule: {
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "breaching",
      },
    });
  });

  it("parses the OK fixture with the same fingerprint as the ALARM fixture", () => {
    const parsed = parseRecord(fixture("sns-metric-alarm-OK.json").Records[0]);

    expect(parsed).toMatchObject({ kind: "metric", state: "OK", previousState: "ALARM", fingerprint: APP_ERROR_FP, missingData: false });
  });

  it("parses the composite fixture with its rule and triggering children", () => {
    const parsed = parseRecord(fixture("sns-composite-alarm-ALARM.json").Records[0]);

    expect(parsed).toMatchObject({
      kind: "composite",
      alarmName: "monitoring-stack-service-degraded",
      fingerprint: "861ab82c3f206b3d",
      region: "us-east-1",
      alarmRule: 'ALARM("monitoring-stack-app-error-count") OR ALARM("monitoring-stack-api-throttle-count")',
      triggeringChildren: [{ arn: APP_ERROR_ARN, name: "monitoring-stack-app-error-count", state: "ALARM", timestamp: "2025-01-15T10:30:12.436+0000" }],
      missingData: false,
    });
  });

  it("parses an EventBridge alarm state change published to the topic like the SNS alarm of the same alarm", () => {
    const parsed = parseRecord(snsRecord(fixture<unknown>("eventbridge-alarm-state-change.json")));

    expect(parsed).toMatchObject({
      kind: "metric",
      alarmName: "monitoring-stack-app-error-count",
      fingerprint: APP_ERROR_FP,
      accountId: "111122223333",
      region: "us-east-1",
      state: "ALARM",
      previousState: "OK",
      stateChangeTime: "2025-01-15T10:30:12.436+0000",
      description: "Counts log lines containing the ERROR level in /monitoring-stack/application",
      metric: { namespace: "MonitoringStack/Application", metricName: "ApplicationErrorCount", dimensions: [], statistic: "Sum", period: 300 },
    });
  });

  it("parses a metric-math alarm (Trigger.Metrics, FACTS 4) into its queries", () => {
    const message = metricAlarm({
      AlarmName: "math alarm",
      AlarmArn: "arn:aws:cloudwatch:eu-south-1:444455556666:alarm:math alarm",
      AWSAccountId: "444455556666",
      Region: "EU (Milan)",
      Trigger: {
        Period: 60,
        EvaluationPeriods: 3,
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 5.0,
        TreatMissingData: "- TreatMissingData:                    missing",
        EvaluateLowSampleCountPercentile: "",
        Metrics: [
          { Expression: "FILL(m1, 0)", Id: "e1", Label: "Errors filled", ReturnData: true },
          {
            Id: "m1",
            MetricStat: {
              Metric: { Dimensions: [{ value: "orders", name: "FunctionName" }], MetricName: "Errors", Namespace: "AWS/Lambda" },
              Period: 60,
              Stat: "Sum",
            },
            ReturnData: false,
          },
        ],
      },
    });

    const parsed = parseRecord(snsRecord(message));

    expect(parsed).toMatchObject({
      kind: "metric-math",
      region: "eu-south-1",
      accountId: "444455556666",
      fingerprint: "2bad2d78d624b84e",
      consoleUrl: "https://eu-south-1.console.aws.amazon.com/cloudwatch/home?region=eu-south-1#alarmsV2:alarm/math%20alarm",
      rule: { comparisonOperator: "GreaterThanThreshold", threshold: 5, evaluationPeriods: 3, treatMissingData: "missing" },
      queries: [
        { id: "e1", expression: "FILL(m1, 0)", label: "Errors filled", metric: undefined, returnData: true },
        {
          id: "m1",
          expression: undefined,
          label: undefined,
          metric: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: [{ name: "FunctionName", value: "orders" }], statistic: "Sum", period: 60 },
          returnData: false,
        },
      ],
    });
  });

  it.each([
    ["a breach from missing data", "ALARM", "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].", true],
    ["missing datapoints treated as breaching", "ALARM", "Threshold Crossed: 2 missing datapoints were treated as [Breaching].", true],
    ["INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "Insufficient Data: 1 datapoint was unknown.", true],
    ["a real threshold breach", "ALARM", "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (15/01/25 10:25:00)] was greater than the threshold (1.0).", false],
    ["recovery whose reason mentions missing data", "OK", "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].", false],
  ])("flags missing data for %s: %s", (_case, state, reason, expected) => {
    const parsed = parseRecord(snsRecord(metricAlarm({ NewStateValue: state, NewStateReason: reason, Trigger: { TreatMissingData: "" } })));

    expect(parsed).toMatchObject({ missingData: expected });
  });

  it("keeps a null AlarmDescription as undefined and finds no runbook", () => {
    expect(parseRecord(snsRecord(metricAlarm({ AlarmDescription: null })))).toMatchObject({ description: undefined, runbookUrl: undefined });
  });

  it("takes the runbook link from 'Runbook: <url>' in the description, without trailing punctuation", () => {
    const parsed = parseRecord(snsRecord(metricAlarm({ AlarmDescription: "Errors in the app. Runbook: https://wiki.example.com/runbooks/app-errors#step-1." })));

    expect(parsed).toMatchObject({ runbookUrl: "https://wiki.example.com/runbooks/app-errors#step-1" });
  });

  it("falls back to sha256(account:region:name) and the topic's region when AlarmArn is absent", () => {
    const message = metricAlarm({ AlarmName: "no arn alarm", AlarmArn: undefined });
    const record = snsRecord(message);
    const parsed = parseRecord({ ...record, Sns: { ...record.Sns, TopicArn: "arn:aws:sns:eu-west-1:111122223333:alarms" } });

    expect(parsed).toMatchObject({ kind: "metric", alarmArn: undefined, region: "eu-west-1", fingerprint: "e24891c4f694f609" });
  });

  it("keeps names with spaces, quotes and 255 characters intact", () => {
    const name = `CORE - DB "primary" (i-0abc) ${"x".repeat(255 - 29)}`;
    const parsed = parseRecord(snsRecord(metricAlarm({ AlarmName: name, AlarmArn: `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}` })));

    expect(name).toHaveLength(255);
    expect(parsed).toMatchObject({ alarmName: name, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it.each([
    ["no Sns object", { EventSource: "aws:s3" }, "record has no Sns object"],
    ["a non-JSON message", snsRecord("hello"), "Sns.Message is not JSON"],
    ["a JSON array", snsRecord("[1]"), "Sns.Message is not a JSON object"],
    ["an unrelated JSON message", snsRecord({ hello: "world" }), "message is not a CloudWatch alarm notification (no AlarmName/NewStateValue)"],
    ["an unknown state", snsRecord(metricAlarm({ NewStateValue: "BROKEN" })), 'NewStateValue "BROKEN" is not an alarm state'],
    ["a missing name", snsRecord(metricAlarm({ AlarmName: "" })), "AlarmName is missing"],
    ["a non-alarm ARN", snsRecord(metricAlarm({ AlarmArn: "arn:aws:sns:us-east-1:111122223333:topic" })), 'AlarmArn "arn:aws:sns:us-east-1:111122223333:topic" is not a CloudWatch alarm ARN'],
    ["a bad time", snsRecord(metricAlarm({ StateChangeTime: "yesterday" })), 'StateChangeTime "yesterday" is not a timestamp'],
    [
      "another EventBridge event",
      snsRecord({ "detail-type": "CloudWatch Alarm Configuration Change", source: "aws.cloudwatch", detail: {} }),
      'EventBridge event "CloudWatch Alarm Configuration Change" from aws.cloudwatch is not an alarm state change',
    ],
  ])("reports %s as not an alarm, with the reason", (_case, record, reason) => {
    expect(parseRecord(record)).toEqual({ kind: "not-an-alarm", reason, messageId: "Sns" in record ? "msg-1" : undefined });
  });
});

describe("fingerprint", () => {
  it("hashes the ARN when there is one, else account:region:name", () => {
    expect(fingerprint(APP_ERROR_ARN, "999999999999", "eu-west-1", "ignored")).toBe(APP_ERROR_FP);
    expect(fingerprint(undefined, "111122223333", "eu-west-1", "no arn alarm")).toBe("e24891c4f694f609");
  });
});

describe("consoleUrl", () => {
  it.each([
    ["aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc"],
    ["aws-cn", "cn-north-1", "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/a%20b%2Fc"],
    ["aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/a%20b%2Fc"],
  ])("links the %s console of the alarm's region", (partition, region, expected) => {
    expect(consoleUrl(partition, region, "a b/c")).toBe(expected);
  });
});
