import type { Context } from "aws-lambda";
import type { JiraEmulator } from "./jira-emulator";
import type { LocalAws } from "./local-aws";

/** The topic the handler sends its human notices to in tests and benchmarks. */
export const FALLBACK_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:monitoring-hub-fallback-test";

/** Variables that would let a developer's machine settings leak into the handler's AWS clients. */
export const AMBIENT_AWS_VARIABLES = [
  "AWS_PROFILE",
  "AWS_ENDPOINT_URL",
  "AWS_SESSION_TOKEN",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
] as const;

/**
 * The handler's whole environment per DESIGN.md "The JIRA Lambda", pointing at the emulator and local AWS.
 * Logs are silent unless POWERTOOLS_LOG_LEVEL is set by whoever runs the tests.
 */
export function handlerEnvironment(jira: JiraEmulator, aws: LocalAws, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    ...aws.env,
    JIRA_BASE_URL: jira.baseUrl,
    JIRA_API: jira.mode,
    JIRA_PROJECT_KEY: jira.projectKey,
    JIRA_ISSUE_TYPE: "Task",
    JIRA_SECRET_ARN: aws.secretArn,
    FALLBACK_TOPIC_ARN,
    TICKETS_TABLE_NAME: aws.tableName,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
    ...overrides,
  };
}

/** A fake Lambda context whose remaining time runs down in real time (unaffected by a faked Date). */
export function lambdaContext(budgetMs: number): Context {
  const deadline = performance.now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "monitoring-hub-jira-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:monitoring-hub-jira-test",
    memoryLimitInMB: "128",
    awsRequestId: `req-${Math.round(deadline * 1000)}`,
    logGroupName: "/aws/lambda/monitoring-hub-jira-test",
    logStreamName: "2025/01/15/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
