import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, ConfigError, parseConfig, type ConfigSources, type RawConfig } from "../../lib/config";

/** Stand-in for pulumi.secret: the parser must hand the credential over only through it. */
const wrapped: string[] = [];
const wrapSecret = (plaintext: string) => {
  wrapped.push(plaintext);
  return { secretOf: plaintext } as never;
};

const valid: RawConfig = {
  memberAccountIds: '["444455556666","555566667777","666677778888"]',
  organizationalUnitIds: '["ou-ab12-cdef3456"]',
  alertEmails: '["oncall@example.com"]',
  jiraBaseUrl: "https://acme.atlassian.net/",
  jiraApi: "cloud",
  jiraProjectKey: "OPS",
  externalId: "0123456789abcdef0123456789abcdef",
  runbookUrl: "https://wiki.example.com/runbooks/monitoring-hub",
};
const sources = (raw: RawConfig, extra: Partial<ConfigSources> = {}): ConfigSources => ({
  raw,
  awsRegion: "us-east-1",
  stackName: "dev",
  ...extra,
});

function problemsOf(s: ConfigSources): readonly string[] {
  try {
    parseConfig(s, wrapSecret);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("returns typed config with documented defaults for a minimal valid stack", () => {
    const config = parseConfig(sources(valid), wrapSecret);

    expect(config).toEqual({
      environmentSuffix: "dev",
      region: "us-east-1",
      memberAccountIds: ["444455556666", "555566667777", "666677778888"],
      organizationalUnitIds: ["ou-ab12-cdef3456"],
      organizationId: undefined,
      alertEmails: ["oncall@example.com"],
      jira: {
        baseUrl: "https://acme.atlassian.net",
        api: "cloud",
        projectKey: "OPS",
        issueType: "Task",
        resolveOnOk: true,
        resolveTransition: undefined,
        reopenWindowMinutes: 60,
        wontFixResolution: "Won't Do",
        commentCooldownMinutes: 15,
      },
      jiraCredentials: undefined,
      kmsKeyArn: undefined,
      externalId: "0123456789abcdef0123456789abcdef",
      stackSetCallAs: "SELF",
      runbookUrl: "https://wiki.example.com/runbooks/monitoring-hub",
      jiraLambdaReservedConcurrency: 5,
      memberAccountAlarms: false,
      maintenanceWindows: [],
      reconcile: { schedule: "rate(5 minutes)", graceMinutes: 10, maxJiraWritesPerRun: 20 },
      tags: {},
    });
  });

  it("reads every optional key", () => {
    const config = parseConfig(
      sources({
        ...valid,
        environmentSuffix: "prod-eu",
        jiraApi: "datacenter",
        jiraIssueType: "Incident",
        jiraResolveOnOk: "false",
        jiraResolveTransition: "Resolve as fixed",
        jiraReopenWindowMinutes: "0",
        jiraWontFixResolution: "Won't Fix",
        jiraCommentCooldownMinutes: "30",
        jiraCredentials: '{"personalAccessToken":"pat-value"}',
        kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        stackSetCallAs: "DELEGATED_ADMIN",
        organizationId: "o-a1b2c3d4e5",
        jiraLambdaReservedConcurrency: "2",
        memberAccountAlarms: "true",
        maintenanceWindows: JSON.stringify([
          { name: "patching", schedule: "cron(0 2 * * SUN)", duration: "PT2H", timezone: "Europe/Berlin", alarms: ["application-health"] },
          { name: "shutdown", schedule: "at(2026-12-24T18:00)", duration: "P7D", alarms: ["application-errors", "member-application-errors"] },
        ]),
        reconcileSchedule: "rate(1 minute)",
        reconcileGraceMinutes: "0",
        reconcileMaxJiraWrites: "50",
        tags: '{"team":"sre","cost-center":"42"}',
      }),
      wrapSecret,
    );

    expect(config.environmentSuffix).toBe("prod-eu");
    expect(config.jira).toEqual({
      baseUrl: "https://acme.atlassian.net",
      api: "datacenter",
      projectKey: "OPS",
      issueType: "Incident",
      resolveOnOk: false,
      resolveTransition: "Resolve as fixed",
      reopenWindowMinutes: 0,
      wontFixResolution: "Won't Fix",
      commentCooldownMinutes: 30,
    });
    expect(config.jiraCredentials).toEqual({ secretOf: '{"personalAccessToken":"pat-value"}' });
    expect(config.kmsKeyArn).toBe("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    expect(config.stackSetCallAs).toBe("DELEGATED_ADMIN");
    expect(config.organizationId).toBe("o-a1b2c3d4e5");
    expect(config.jiraLambdaReservedConcurrency).toBe(2);
    expect(config.memberAccountAlarms).toBe(true);
    expect(config.maintenanceWindows).toEqual([
      { name: "patching", schedule: "cron(0 2 * * SUN)", duration: "PT2H", timezone: "Europe/Berlin", alarms: ["application-health"] },
      { name: "shutdown", schedule: "at(2026-12-24T18:00)", duration: "P7D", timezone: "UTC", alarms: ["application-errors", "member-application-errors"] },
    ]);
    expect(config.reconcile).toEqual({ schedule: "rate(1 minute)", graceMinutes: 0, maxJiraWritesPerRun: 50 });
    expect(config.tags).toEqual({ team: "sre", "cost-center": "42" });
  });

  it.each([
    ["config", { environmentSuffix: "qa" }, { environmentSuffixVariable: "ci" }, "qa"],
    ["ENVIRONMENT_SUFFIX", {}, { environmentSuffixVariable: "ci" }, "ci"],
    ["the stack name", {}, {}, "dev"],
  ])("takes the suffix from %s first", (_from, raw, extra, expected) => {
    expect(parseConfig(sources({ ...valid, ...raw }, extra), wrapSecret).environmentSuffix).toBe(expected);
  });

  const bad: [string, RawConfig, Partial<ConfigSources>, string][] = [
    ["a short account id", { memberAccountIds: '["12345","555566667777","666677778888"]' }, {}, 'monitoring-hub:memberAccountIds[0] "12345" is not a 12-digit AWS account id. Fix: pulumi config set --path \'memberAccountIds[0]\' 444455556666'],
    ["a non-numeric account id", { memberAccountIds: '["44445555666a","555566667777","666677778888"]' }, {}, 'monitoring-hub:memberAccountIds[0] "44445555666a" is not a 12-digit AWS account id'],
    ["a duplicate account", { memberAccountIds: '["444455556666","444455556666","666677778888"]' }, {}, 'monitoring-hub:memberAccountIds[1] lists "444455556666" twice; remove the duplicate'],
    ["two member accounts", { memberAccountIds: '["444455556666","555566667777"]' }, {}, "monitoring-hub:memberAccountIds needs at least 3 member accounts (the hub needs at least 3). Fix: pulumi config set --path 'memberAccountIds[0]' 444455556666"],
    ["member accounts missing", { memberAccountIds: undefined }, {}, "monitoring-hub:memberAccountIds must be a list"],
    ["member accounts not a list", { memberAccountIds: "444455556666" }, {}, "monitoring-hub:memberAccountIds must be a list"],
    ["a bad email", { alertEmails: '["oncall.example.com"]' }, {}, 'monitoring-hub:alertEmails[0] "oncall.example.com" is not an email address. Fix: pulumi config set --path \'alertEmails[0]\' oncall@example.com'],
    ["no email", { alertEmails: "[]" }, {}, "monitoring-hub:alertEmails needs at least 1 email address"],
    ["a JIRA URL over http", { jiraBaseUrl: "http://acme.atlassian.net" }, {}, "monitoring-hub:jiraBaseUrl must use https. Fix: pulumi config set jiraBaseUrl https://your-site.atlassian.net"],
    ["a JIRA URL that is not a URL", { jiraBaseUrl: "acme" }, {}, "monitoring-hub:jiraBaseUrl is not a URL"],
    ["a JIRA URL with credentials", { jiraBaseUrl: "https://me:token@acme.atlassian.net" }, {}, "monitoring-hub:jiraBaseUrl must not carry credentials"],
    ["a missing JIRA URL", { jiraBaseUrl: undefined }, {}, "monitoring-hub:jiraBaseUrl is missing. Fix: pulumi config set jiraBaseUrl https://your-site.atlassian.net"],
    ["an unknown JIRA API kind", { jiraApi: "server" }, {}, 'monitoring-hub:jiraApi "server" is not one of cloud, datacenter. Fix: pulumi config set jiraApi cloud'],
    ["a missing JIRA API kind", { jiraApi: undefined }, {}, "monitoring-hub:jiraApi is missing"],
    ["a lowercase project key", { jiraProjectKey: "ops" }, {}, 'monitoring-hub:jiraProjectKey "ops" is not a JIRA project key'],
    ["a bad OU id", { organizationalUnitIds: '["ou-1"]' }, {}, 'monitoring-hub:organizationalUnitIds[0] "ou-1" is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)'],
    ["no OU", { organizationalUnitIds: "[]" }, {}, "monitoring-hub:organizationalUnitIds needs at least 1 OU"],
    ["a suffix with illegal characters", { environmentSuffix: "Dev_1" }, {}, 'monitoring-hub:environmentSuffix "Dev_1" (from config) must be 1-16 lowercase letters, digits or inner hyphens. Fix: pulumi config set environmentSuffix dev'],
    ["a stack name that is no suffix", {}, { stackName: "My.Stack" }, 'monitoring-hub:environmentSuffix "My.Stack" (from the stack name) must be 1-16 lowercase letters'],
    ["a too long suffix", { environmentSuffix: "a-very-long-suffix-name" }, {}, "monitoring-hub:environmentSuffix \"a-very-long-suffix-name\" (from config)"],
    ["a missing region", {}, { awsRegion: undefined }, "aws:region is missing. Fix: pulumi config set aws:region us-east-1"],
    ["a bad region", {}, { awsRegion: "US East" }, 'aws:region "US East" is not an AWS region'],
    ["a short external id", { externalId: "abc" }, {}, "monitoring-hub:externalId must be 16-1224 characters"],
    ["a missing external id", { externalId: undefined }, {}, "monitoring-hub:externalId is missing. Fix: pulumi config set externalId $(openssl rand -hex 16)"],
    ["a runbook with a fragment", { runbookUrl: "https://wiki.example.com/runbook#top" }, {}, "monitoring-hub:runbookUrl must not contain a #fragment: each alarm appends its own anchor. Fix: pulumi config set runbookUrl https://wiki.example.com/runbooks/monitoring-hub"],
    ["a runbook over http", { runbookUrl: "http://wiki" }, {}, "monitoring-hub:runbookUrl must use https"],
    ["a negative reopen window", { jiraReopenWindowMinutes: "-5" }, {}, "monitoring-hub:jiraReopenWindowMinutes must be at least 0. Fix: pulumi config set jiraReopenWindowMinutes 60"],
    ["a fractional cooldown", { jiraCommentCooldownMinutes: "1.5" }, {}, "monitoring-hub:jiraCommentCooldownMinutes must be a whole number from 0 to 1440"],
    ["zero reserved concurrency", { jiraLambdaReservedConcurrency: "0" }, {}, "monitoring-hub:jiraLambdaReservedConcurrency must be at least 1"],
    ["a resolve flag that is not boolean", { jiraResolveOnOk: "yes" }, {}, 'monitoring-hub:jiraResolveOnOk "yes" is not one of true, false'],
    ["a member alarm flag that is not boolean", { memberAccountAlarms: "on" }, {}, 'monitoring-hub:memberAccountAlarms "on" is not one of true, false. Fix: pulumi config set memberAccountAlarms true'],
    ["a window with a six-field cron", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * ? *)","duration":"PT2H","alarms":["application-health"]}]' }, {}, "monitoring-hub:maintenanceWindows[0].schedule schedule must be cron(Minutes Hours Day-of-month Month Day-of-week) or at(yyyy-mm-ddThh:mm)"],
    ["a window longer than 15 days", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * *)","duration":"P16D","alarms":["application-health"]}]' }, {}, "monitoring-hub:maintenanceWindows[0].duration duration must be an ISO 8601 duration from PT1M to P15D, e.g. PT2H"],
    ["a window in an unknown time zone", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * *)","duration":"PT1H","timezone":"Mars/Olympus","alarms":["application-health"]}]' }, {}, "monitoring-hub:maintenanceWindows[0].timezone timezone must be an IANA time zone"],
    ["a window on an unknown alarm", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * *)","duration":"PT1H","alarms":["cpu"]}]' }, {}, 'monitoring-hub:maintenanceWindows[0].alarms[0] "cpu" is not an alarm id (one of application-errors'],
    ["two windows with one name", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * *)","duration":"PT1H","alarms":["application-health"]},{"name":"w","schedule":"cron(0 3 * * *)","duration":"PT1H","alarms":["application-health"]}]' }, {}, 'monitoring-hub:maintenanceWindows[1].name name "w" is used twice'],
    ["windows that are not a list", { maintenanceWindows: '{"name":"w"}' }, {}, "monitoring-hub:maintenanceWindows must be a JSON list of windows. Fix: pulumi config set maintenanceWindows"],
    ["a reconcile schedule that is not a schedule", { reconcileSchedule: "every 5 minutes" }, {}, 'monitoring-hub:reconcileSchedule "every 5 minutes" is not rate(<n> minutes|hours|days) or a six-field cron()'],
    ["a reconcile rate with a plural for one", { reconcileSchedule: "rate(1 minutes)" }, {}, 'monitoring-hub:reconcileSchedule "rate(1 minutes)" is not rate'],
    ["too few JIRA writes per sweep to resolve a ticket", { reconcileMaxJiraWrites: "1" }, {}, "monitoring-hub:reconcileMaxJiraWrites must be at least 2"],
    ["a window on member alarms that are off", { maintenanceWindows: '[{"name":"w","schedule":"cron(0 2 * * *)","duration":"PT1H","alarms":["member-application-errors"]}]' }, {}, "monitoring-hub:maintenanceWindows[0].alarms name member alarms, but memberAccountAlarms is off, so the window would mute nothing there"],
    ["a bad organization id", { organizationId: "org-1" }, {}, 'monitoring-hub:organizationId "org-1" is not an AWS Organizations id (o-xxxxxxxxxx). Fix: pulumi config set organizationId o-a1b2c3d4e5'],
    ["too many members to list without an organization id", { memberAccountIds: JSON.stringify(Array.from({ length: 700 }, (_, i) => String(100000000000 + i))) }, {}, "monitoring-hub:organizationId is needed: the OAM sink policy listing 700 member accounts is"],
    ["an unknown StackSet caller", { stackSetCallAs: "ADMIN" }, {}, 'monitoring-hub:stackSetCallAs "ADMIN" is not one of SELF, DELEGATED_ADMIN'],
    ["a malformed key ARN", { kmsKeyArn: "alias/aws/sns" }, {}, 'monitoring-hub:kmsKeyArn "alias/aws/sns" is not a KMS key ARN'],
    ["a key from another region", { kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, {}, "monitoring-hub:kmsKeyArn is in eu-west-1 but the stack deploys to us-east-1"],
    ["cloud credentials without apiToken", { jiraCredentials: '{"email":"bot@example.com"}' }, {}, "monitoring-hub:jiraCredentials must be a JSON object with email and apiToken for jiraApi cloud (value not shown)"],
    ["credentials that are not JSON", { jiraCredentials: "hunter2" }, {}, "monitoring-hub:jiraCredentials must be a JSON object with email and apiToken"],
    ["a reserved tag key", { tags: '{"environment":"x"}' }, {}, 'monitoring-hub:tags.environment "environment" is set by the stack itself; remove it'],
    ["an aws: tag key", { tags: '{"aws:owner":"x"}' }, {}, 'monitoring-hub:tags.aws:owner "aws:owner" is not a tag key'],
    ["tags that are not a map", { tags: '["a"]' }, {}, "monitoring-hub:tags must be a map of strings"],
  ];

  it.each(bad)("rejects %s with a message naming the key and the fix", (_name, raw, extra, expected) => {
    const problems = problemsOf(sources({ ...valid, ...raw }, extra));

    expect(problems).toContainEqual(expect.stringContaining(expected));
    expect(problems.every((p) => p.includes("Fix:"))).toBe(true);
  });

  it("admits hundreds of members once the organization id lets the sink policy name OUs instead of accounts", () => {
    const many = JSON.stringify(Array.from({ length: 700 }, (_, i) => String(100000000000 + i)));

    expect(parseConfig(sources({ ...valid, memberAccountIds: many, organizationId: "o-a1b2c3d4e5" }), wrapSecret).memberAccountIds).toHaveLength(700);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf(
      sources({ ...valid, memberAccountIds: '["1"]', jiraApi: "server", runbookUrl: undefined }, { awsRegion: undefined }),
    );

    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(" ")[0])).toEqual([
      "monitoring-hub:memberAccountIds[0]",
      "monitoring-hub:memberAccountIds",
      "monitoring-hub:jiraApi",
      "monitoring-hub:runbookUrl",
      "aws:region",
    ]);
  });

  it("never echoes the credential in its error", () => {
    const problems = problemsOf(sources({ ...valid, jiraCredentials: '{"email":"bot@example.com","token":"s3cr3t-value"}' }));

    expect(problems.join("\n")).not.toContain("s3cr3t-value");
  });

  it("hands the credential over only as a secret", () => {
    wrapped.length = 0;
    const config = parseConfig(sources({ ...valid, jiraCredentials: '{"email":"bot@example.com","apiToken":"tok"}' }), wrapSecret);

    expect(wrapped).toEqual(['{"email":"bot@example.com","apiToken":"tok"}']);
    expect(config.jiraCredentials).toEqual({ secretOf: '{"email":"bot@example.com","apiToken":"tok"}' });
  });
});

describe("Pulumi.yaml", () => {
  const yaml = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8");

  it.each(CONFIG_KEYS.map((k) => [k]))("declares %s with a description and a type", (k) => {
    const block = new RegExp(`\\n  ${k}:\\n    description: .+\\n    type: (string|integer|boolean|array|object)`);

    expect(yaml).toMatch(block);
  });
});
