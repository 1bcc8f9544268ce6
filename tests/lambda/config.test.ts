import { readConfig } from "../../lambda_functions/jira-handler/config";
import { ConfigError } from "../../lambda_functions/jira-handler/errors";

const REQUIRED = {
  JIRA_BASE_URL: "https://example.atlassian.net/",
  JIRA_API: "cloud",
  JIRA_PROJECT_KEY: "OPS",
  JIRA_ISSUE_TYPE: "Task",
  JIRA_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:jira-AbCdEf",
  FALLBACK_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:monitoring-hub-fallback-dev",
  TICKETS_TABLE_NAME: "monitoring-hub-jira-tickets-dev",
};

describe("readConfig", () => {
  it("reads the required variables and applies the DESIGN.md defaults", () => {
    expect(readConfig(REQUIRED)).toEqual({
      jira: {
        baseUrl: "https://example.atlassian.net",
        api: "cloud",
        projectKey: "OPS",
        issueType: "Task",
        secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:jira-AbCdEf",
      },
      fallbackTopicArn: "arn:aws:sns:us-east-1:111122223333:monitoring-hub-fallback-dev",
      ticketsTableName: "monitoring-hub-jira-tickets-dev",
      lifecycle: { resolveOnOk: true, resolveTransition: undefined, reopenWindowMinutes: 60, wontFixResolution: "Won't Do", commentCooldownMinutes: 15 },
    });
  });

  it("reads the optional variables", () => {
    const config = readConfig({
      ...REQUIRED,
      JIRA_BASE_URL: "https://jira.example.com/jira",
      JIRA_API: "datacenter",
      JIRA_RESOLVE_ON_OK: "FALSE",
      JIRA_RESOLVE_TRANSITION: "Resolve as fixed",
      JIRA_REOPEN_WINDOW_MINUTES: "0",
      JIRA_WONT_FIX_RESOLUTION: "Declined",
      JIRA_COMMENT_COOLDOWN_MINUTES: "5",
    });

    expect(config.jira).toMatchObject({ baseUrl: "https://jira.example.com/jira", api: "datacenter" });
    expect(config.lifecycle).toEqual({
      resolveOnOk: false,
      resolveTransition: "Resolve as fixed",
      reopenWindowMinutes: 0,
      wontFixResolution: "Declined",
      commentCooldownMinutes: 5,
    });
  });

  it("treats empty optional variables as unset", () => {
    expect(readConfig({ ...REQUIRED, JIRA_RESOLVE_TRANSITION: "", JIRA_WONT_FIX_RESOLUTION: " " }).lifecycle).toMatchObject({
      resolveTransition: undefined,
      wontFixResolution: "Won't Do",
    });
  });

  it("lists every problem, naming each variable", () => {
    const attempt = () =>
      readConfig({
        JIRA_BASE_URL: "ftp://example.com",
        JIRA_API: "server",
        JIRA_PROJECT_KEY: 'OPS" OR project = "X',
        JIRA_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:jira",
        FALLBACK_TOPIC_ARN: "not-an-arn",
        TICKETS_TABLE_NAME: "t",
        JIRA_RESOLVE_ON_OK: "yes",
        JIRA_REOPEN_WINDOW_MINUTES: "-1",
        JIRA_COMMENT_COOLDOWN_MINUTES: "1.5",
      });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      [
        "Invalid JIRA handler environment:",
        '- JIRA_BASE_URL must be an http(s) URL without a query string, got "ftp://example.com".',
        '- JIRA_API must be one of "cloud", "datacenter", got "server".',
        '- JIRA_PROJECT_KEY must be a JIRA project key such as OPS, got "OPS" OR project = "X".',
        "- JIRA_ISSUE_TYPE is required but not set.",
        '- FALLBACK_TOPIC_ARN must be an SNS topic ARN, got "not-an-arn".',
        '- TICKETS_TABLE_NAME must be a DynamoDB table name, got "t".',
        '- JIRA_RESOLVE_ON_OK must be "true" or "false", got "yes".',
        '- JIRA_REOPEN_WINDOW_MINUTES must be a whole number of minutes (0 or more), got "-1".',
        '- JIRA_COMMENT_COOLDOWN_MINUTES must be a whole number of minutes (0 or more), got "1.5".',
      ].join("\n"),
    );
  });
});
