// Proves the sink policy and member template we build, that CloudFormation's offline validator accepts the template,
// and the resources, inputs, parents and dependency edges we register. Does not prove AWS accepts them at deploy time;
// trust and permission semantics are in member-trust.test.ts.
import { RegoEngine, TemplateFile, type Engine, type StandardDiagnostic, type ValidateConfig } from "@aws/cloudformation-validate";
import type * as pulumi from "@pulumi/pulumi";

import {
  SINK_POLICY_LIMITS,
  createCrossAccount,
  memberAccountTemplate,
  oamSinkPolicy,
  sinkPolicyProblems,
  sinkPolicyText,
  type CrossAccount,
  type MemberAccountTemplate,
} from "../../lib/cross-account";
import { countByType, isSecretValue, MOCK_HUB_ACCOUNT_ID, record, settle, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, testContext, testParent } from "../helpers/stack-context";

const MEMBERS = ["444455556666", "555566667777", "666677778888"];
const OUS = ["ou-ab12-cdef3456", "ou-ab12-99990000"];
const SINK_ARN = "arn:aws:oam:us-east-1:111122223333:sink/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const templateArgs = { hubAccountId: "111122223333", partition: "aws", sinkArn: SINK_ARN, suffix: "test" };
const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

describe("oamSinkPolicy", () => {
  it("lets exactly the member accounts link metrics and log groups", () => {
    expect(oamSinkPolicy(MEMBERS)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "MemberAccountsLinkMetricsAndLogs",
          Effect: "Allow",
          Principal: { AWS: ["444455556666", "555566667777", "666677778888"] },
          Action: ["oam:CreateLink", "oam:UpdateLink"],
          Resource: "*",
          Condition: { "ForAllValues:StringEquals": { "oam:ResourceTypes": ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"] } },
        },
      ],
    });
  });

  it("refuses an empty member list", () => {
    expect(() => oamSinkPolicy([])).toThrow("oamSinkPolicy: memberAccountIds is empty");
  });

  it("lists 500 members in 7,794 characters, within the size we assume a sink policy may have", () => {
    const text = sinkPolicyText(oamSinkPolicy(accounts(500)));

    expect(text.length).toBe(7_794);
    expect(text.length).toBeLessThanOrEqual(SINK_POLICY_LIMITS.assumedMaxCharacters);
    expect(text).not.toContain("\n");
    expect(sinkPolicyProblems(oamSinkPolicy(accounts(500)), 500)).toEqual([]);
  });

  it("grows by 15 characters per member and reports the list once it passes the assumed size (664 members)", () => {
    const length = (n: number) => sinkPolicyText(oamSinkPolicy(accounts(n))).length;

    expect([length(3), length(50), length(663), length(664)]).toEqual([339, 1_044, 10_239, 10_254]);
    expect(sinkPolicyProblems(oamSinkPolicy(accounts(663)), 663)).toEqual([]);
    expect(sinkPolicyProblems(oamSinkPolicy(accounts(664)), 664)).toEqual([
      "the OAM sink policy listing 664 member accounts is 10254 characters, more than the 10240 we assume a sink policy may have; " +
        "give the organization id (organizationId) so that the policy admits the targeted OUs instead of listing every account",
    ]);
  });

  it("admits the targeted OUs (and root) of the organization instead of listing accounts when the organization is given", () => {
    expect(oamSinkPolicy(accounts(700), { id: "o-a1b2c3d4e5", organizationalUnitIds: ["ou-ab12-cdef3456", "r-ab12"] })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TargetedOrganizationalUnitsLinkMetricsAndLogs",
          Effect: "Allow",
          Principal: "*",
          Action: ["oam:CreateLink", "oam:UpdateLink"],
          Resource: "*",
          Condition: {
            "ForAllValues:StringEquals": { "oam:ResourceTypes": ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"] },
            StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
            "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*/ou-ab12-cdef3456/*", "o-a1b2c3d4e5/r-ab12/*"] },
          },
        },
      ],
    });
  });

  it("keeps the organization form the same size whatever the number of members", () => {
    const org = { id: "o-a1b2c3d4e5", organizationalUnitIds: OUS };
    const length = (n: number) => sinkPolicyText(oamSinkPolicy(accounts(n), org)).length;

    expect([length(3), length(500), length(5000)]).toEqual([479, 479, 479]);
  });

  it("refuses a malformed organization id and an organization without OUs", () => {
    expect(() => oamSinkPolicy(MEMBERS, { id: "org-1", organizationalUnitIds: OUS })).toThrow('oamSinkPolicy: "org-1" is not an organization id (o-...)');
    expect(() => oamSinkPolicy(MEMBERS, { id: "o-a1b2c3d4e5", organizationalUnitIds: [] })).toThrow("oamSinkPolicy: organizationalUnitIds is empty");
  });
});

describe("memberAccountTemplate", () => {
  it("builds the role trusting only the hub with the ExternalId parameter, and the link to the sink", () => {
    expect(memberAccountTemplate(templateArgs)).toEqual({
      AWSTemplateFormatVersion: "2010-09-09",
      Description: "monitoring-hub member account: MonitoringRole-<AccountId>, the OAM link to the hub's sink, and the application's log metrics",
      Parameters: {
        ExternalId: {
          Type: "String",
          Description: "ExternalId that callers from the monitoring account must present to assume the role",
          NoEcho: true,
          MinLength: 2,
          MaxLength: 1224,
          AllowedPattern: "[\\w+=,.@:/-]*",
        },
      },
      Resources: {
        MonitoringRole: {
          Type: "AWS::IAM::Role",
          Properties: {
            RoleName: { "Fn::Sub": "MonitoringRole-${AWS::AccountId}" },
            Description: "Read-only CloudWatch and Logs access for the monitoring-hub account",
            AssumeRolePolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "MonitoringAccountWithExternalId",
                  Effect: "Allow",
                  Principal: { AWS: "arn:aws:iam::111122223333:root" },
                  Action: ["sts:AssumeRole"],
                  Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
                },
              ],
            },
            MaxSessionDuration: 3600,
            Policies: [
              {
                PolicyName: "cloudwatch-logs-read-only",
                PolicyDocument: {
                  Version: "2012-10-17",
                  Statement: [
                    {
                      Sid: "ReadCloudWatchAndLogs",
                      Effect: "Allow",
                      Action: [
                        "cloudwatch:DescribeAlarmHistory",
                        "cloudwatch:DescribeAlarms",
                        "cloudwatch:DescribeAlarmsForMetric",
                        "cloudwatch:DescribeAnomalyDetectors",
                        "cloudwatch:DescribeInsightRules",
                        "cloudwatch:GetDashboard",
                        "cloudwatch:GetInsightRuleReport",
                        "cloudwatch:GetMetricData",
                        "cloudwatch:GetMetricStatistics",
                        "cloudwatch:GetMetricWidgetImage",
                        "cloudwatch:ListDashboards",
                        "cloudwatch:ListMetrics",
                        "cloudwatch:ListTagsForResource",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                        "logs:DescribeMetricFilters",
                        "logs:DescribeQueries",
                        "logs:DescribeQueryDefinitions",
                        "logs:DescribeSubscriptionFilters",
                        "logs:FilterLogEvents",
                        "logs:GetLogEvents",
                        "logs:GetLogGroupFields",
                        "logs:GetLogRecord",
                        "logs:GetQueryResults",
                        "logs:ListTagsForResource",
                        "logs:StartQuery",
                        "logs:StopQuery",
                      ],
                      Resource: "*",
                    },
                  ],
                },
              },
            ],
          },
        },
        ObservabilityLink: {
          Type: "AWS::Oam::Link",
          Properties: {
            SinkIdentifier: SINK_ARN,
            ResourceTypes: ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"],
            LabelTemplate: "$AccountName",
          },
        },
        ApplicationLogGroup: {
          Type: "AWS::Logs::LogGroup",
          Properties: { LogGroupName: "/monitoring-hub/test/application", RetentionInDays: 30 },
        },
        ApplicationErrorsFilter: {
          Type: "AWS::Logs::MetricFilter",
          Properties: {
            LogGroupName: { Ref: "ApplicationLogGroup" },
            FilterName: "monitoring-hub-application-errors-test",
            FilterPattern: '"ERROR"',
            MetricTransformations: [
              { MetricNamespace: "MonitoringHub/test/Application", MetricName: "ApplicationErrors", MetricValue: "1", DefaultValue: 0, Unit: "Count" },
            ],
          },
        },
        ApplicationCriticalErrorsFilter: {
          Type: "AWS::Logs::MetricFilter",
          Properties: {
            LogGroupName: { Ref: "ApplicationLogGroup" },
            FilterName: "monitoring-hub-application-critical-errors-test",
            FilterPattern: '"CRITICAL"',
            MetricTransformations: [
              {
                MetricNamespace: "MonitoringHub/test/Application",
                MetricName: "ApplicationCriticalErrors",
                MetricValue: "1",
                DefaultValue: 0,
                Unit: "Count",
              },
            ],
          },
        },
      },
      Outputs: {
        MonitoringRoleArn: { Description: "Role the monitoring account assumes", Value: { "Fn::GetAtt": ["MonitoringRole", "Arn"] } },
        ObservabilityLinkArn: { Description: "OAM link to the hub's sink", Value: { "Fn::GetAtt": ["ObservabilityLink", "Arn"] } },
      },
    });
  });

  it("follows the partition in the trusted principal", () => {
    const t = memberAccountTemplate({ ...templateArgs, partition: "aws-us-gov" });

    expect(t.Resources.MonitoringRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      AWS: "arn:aws-us-gov:iam::111122223333:root",
    });
  });

  it("keeps the ExternalId out of the template text", () => {
    const body = JSON.stringify(memberAccountTemplate(templateArgs));

    expect(body).not.toContain("mh-test-external-id");
    expect(Buffer.byteLength(body)).toBeLessThan(51_200); // the StackSet templateBody limit
  });
});

/** A template held in memory: the engine reads a template only through `readBytes()`. */
class InMemoryTemplate extends TemplateFile {
  readonly #bytes: Uint8Array;
  constructor(name: string, template: unknown) {
    super(name);
    this.#bytes = Buffer.from(JSON.stringify(template));
  }
  readBytes(): Uint8Array {
    return this.#bytes;
  }
}

type Finding = Pick<StandardDiagnostic, "ruleId" | "severity" | "message" | "propertyPath"> & { logicalId?: string };

describe("member template against @aws/cloudformation-validate", () => {
  let engine: Engine;
  // Warnings count as errors. One finding is by design: the link names the hub's sink, an ARN in another account,
  // which the W9013 heuristic ("use AWS::AccountId") cannot know.
  const config: ValidateConfig = {
    strict: true,
    severityLevel: "WARN",
    exclude: { resourceIds: [{ ruleId: "W9013", resourceId: "ObservabilityLink" }] },
  };
  const findings = (template: unknown): Finding[] =>
    engine.validateStandard(new InMemoryTemplate("member-account.json", template), config).diagnostics.map((d) => ({
      ruleId: d.ruleId,
      severity: d.severity,
      message: d.message,
      propertyPath: d.propertyPath,
      logicalId: d.entity?.logicalId,
    }));
  const withRole = (t: MemberAccountTemplate, properties: Record<string, unknown>): unknown => ({
    ...t,
    Resources: { ...t.Resources, MonitoringRole: { ...t.Resources.MonitoringRole, Properties: properties } },
  });

  beforeAll(() => {
    engine = new RegoEngine();
  });
  afterAll(() => engine.free());

  it("reports nothing for our template", () => {
    const report = engine.validateStandard(new InMemoryTemplate("member-account.json", memberAccountTemplate(templateArgs)), config);

    expect(report.status).toBe("OK");
    expect(report.diagnostics).toEqual([]);
  });

  it("reports an unknown property on the role (the validator is live)", () => {
    const t = memberAccountTemplate(templateArgs);

    expect(findings(withRole(t, { ...t.Resources.MonitoringRole.Properties, ExternalId: "inline" }))).toEqual([
      {
        ruleId: "F3002",
        severity: "FATAL",
        message: "Additional properties are not allowed ('ExternalId' was unexpected)",
        propertyPath: "Properties.ExternalId",
        logicalId: "MonitoringRole",
      },
    ]);
  });

  it("reports a wrong type and an out-of-range session duration on the role", () => {
    const t = memberAccountTemplate(templateArgs);

    expect(findings(withRole(t, { ...t.Resources.MonitoringRole.Properties, MaxSessionDuration: "one hour" }))).toEqual([
      expect.objectContaining({ ruleId: "F3012", severity: "FATAL", propertyPath: "Properties.MaxSessionDuration" }),
    ]);
    expect(findings(withRole(t, { ...t.Resources.MonitoringRole.Properties, MaxSessionDuration: 86_400 }))).toEqual([
      expect.objectContaining({ ruleId: "F3034", message: "86400 is greater than the maximum of 43200" }),
    ]);
  });
});

describe("createCrossAccount", () => {
  let monitor: RecordingMonitor;
  let parent: pulumi.ComponentResource;
  let created: CrossAccount;

  beforeAll(async () => {
    ({ monitor } = await record(
      () => {
        parent = testParent();
        const ctx = testContext({ identityParent: parent });
        created = createCrossAccount(
          "hub-xacct",
          { ctx, memberAccountIds: MEMBERS, organizationalUnitIds: OUS, externalId: "mh-test-external-id", callAs: "DELEGATED_ADMIN" },
          { parent },
        );
      },
      TEST_STACK,
    ));
  });

  it("creates one sink, one sink policy, one StackSet and one instance per OU, nothing else", () => {
    expect(countByType(monitor.custom())).toEqual({
      "aws:oam/sink:Sink": 1,
      "aws:oam/sinkPolicy:SinkPolicy": 1,
      "aws:cloudformation/stackSet:StackSet": 1,
      "aws:cloudformation/stackSetInstance:StackSetInstance": 2,
    });
    expect(created.instances).toHaveLength(2);
    expect(created.stackSetName).toBe("monitoring-hub-member-monitoring-test");
  });

  it("parents every child to the caller's parent", async () => {
    const parentUrn = await valueOf(parent.urn);

    for (const r of monitor.custom()) expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: parentUrn });
  });

  it("names and tags the sink, and gives the sink policy exactly the member accounts", () => {
    const sink = monitor.one("aws:oam/sink:Sink");
    const policy = monitor.one("aws:oam/sinkPolicy:SinkPolicy");

    expect(sink.inputs).toEqual({ name: "monitoring-hub-sink-test", tags: { project: "monitoring-hub", environment: "test" } });
    expect(policy.inputs.sinkIdentifier).toBe(sink.state.arn);
    expect(JSON.parse(policy.inputs.policy as string)).toEqual(oamSinkPolicy(MEMBERS));
    expect(policy.propertyDependencies.sinkIdentifier).toEqual([sink.urn]);
  });

  it("configures a service-managed StackSet with named-IAM capability and no administration role", () => {
    const stackSet = monitor.one("aws:cloudformation/stackSet:StackSet");

    expect(stackSet.inputs).toMatchObject({
      name: "monitoring-hub-member-monitoring-test",
      permissionModel: "SERVICE_MANAGED",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      callAs: "DELEGATED_ADMIN",
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
      tags: { project: "monitoring-hub", environment: "test" },
    });
    expect(stackSet.inputs).not.toHaveProperty("administrationRoleArn");
    expect(stackSet.inputs).not.toHaveProperty("executionRoleName");
    expect(stackSet.options).toEqual({ protect: false, retainOnDelete: false, ignoreChanges: ["administrationRoleArn"], deleteBeforeReplace: false });
  });

  it("deploys the member template with the hub account and the sink ARN, and depends on the sink through it", () => {
    const stackSet = monitor.one("aws:cloudformation/stackSet:StackSet");
    const sink = monitor.one("aws:oam/sink:Sink");

    expect(JSON.parse(stackSet.inputs.templateBody as string)).toEqual(
      memberAccountTemplate({ hubAccountId: MOCK_HUB_ACCOUNT_ID, partition: "aws", sinkArn: sink.state.arn as string, suffix: "test" }),
    );
    expect(stackSet.propertyDependencies.templateBody).toEqual([sink.urn]);
  });

  it("passes the ExternalId as a secret StackSet parameter, not in the template", () => {
    const stackSet = monitor.one("aws:cloudformation/stackSet:StackSet");
    const parameters = stackSet.inputs.parameters;

    expect(isSecretValue(parameters)).toBe(true);
    expect(isSecretValue(parameters) && parameters.value).toEqual({ ExternalId: "mh-test-external-id" });
    expect(stackSet.inputs.templateBody).not.toContain("mh-test-external-id");
  });

  it("targets each OU with one instance, filtered to the members, in the hub region only, as the same caller", () => {
    const stackSet = monitor.one("aws:cloudformation/stackSet:StackSet");
    const instances = monitor.ofType("aws:cloudformation/stackSetInstance:StackSetInstance");

    expect(instances.map((i) => i.name)).toEqual(["hub-xacct-member-ou-ab12-cdef3456", "hub-xacct-member-ou-ab12-99990000"]);
    expect(instances.map((i) => i.inputs)).toEqual(
      OUS.map((ou) => ({
        stackSetName: "monitoring-hub-member-monitoring-test",
        callAs: "DELEGATED_ADMIN",
        deploymentTargets: { organizationalUnitIds: [ou], accounts: MEMBERS, accountFilterType: "INTERSECTION" },
        stackSetInstanceRegion: "us-east-1",
        operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 },
        retainStack: false,
      })),
    );
    for (const i of instances) {
      expect(i.propertyDependencies.stackSetName).toEqual([stackSet.urn]);
      expect(i.options).toMatchObject({ protect: false, retainOnDelete: false });
    }
  });

  it("creates the instances (and so the links) only after the sink policy admits them", () => {
    const policy = monitor.one("aws:oam/sinkPolicy:SinkPolicy");

    for (const i of monitor.ofType("aws:cloudformation/stackSetInstance:StackSetInstance")) {
      expect(i.dependencies).toContain(policy.urn);
    }
  });

  it("gives the sink policy the organization form when the organization id is given", async () => {
    const ctx = testContext({ suffix: "org", tags: {} });
    createCrossAccount("org", { ctx, memberAccountIds: accounts(700), organizationalUnitIds: OUS, externalId: "mh-test-external-id", callAs: "SELF", organizationId: "o-a1b2c3d4e5" }, { parent });
    await settle();

    expect(JSON.parse(monitor.named("org-sink-policy").inputs.policy as string)).toEqual(
      oamSinkPolicy(accounts(700), { id: "o-a1b2c3d4e5", organizationalUnitIds: OUS }),
    );
  });

  it.each([
    ["no OU", { memberAccountIds: MEMBERS, organizationalUnitIds: [] }, "organizationalUnitIds is empty"],
    ["no member", { memberAccountIds: [], organizationalUnitIds: OUS }, "memberAccountIds is empty"],
    ["700 members listed without the organization", { memberAccountIds: accounts(700), organizationalUnitIds: OUS }, "the OAM sink policy listing 700 member accounts is 10794 characters"],
  ])("refuses %s before registering anything", async (_, lists, message) => {
    const ctx = testContext({ suffix: "x", tags: {} });
    const before = monitor.recorded.size;

    expect(() => createCrossAccount("empty", { ctx, ...lists, externalId: "abc", callAs: "SELF" }, { parent })).toThrow(message);
    await settle();
    expect(monitor.recorded.size).toBe(before);
  });
});
