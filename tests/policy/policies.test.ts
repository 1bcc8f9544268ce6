/**
 * Every CrossGuard policy of the pack (policy/policies.ts), run offline against the real program recorded under mocks
 * with the dev stack's config (the recording `npm run plan` shows): the program passes all of them, and each policy
 * fails on deliberately broken copies of recorded resources with exactly the expected violation and no other.
 */
import { carriesSuffix, isAwsManagedKey, isReadOnlyAction, policies, stackOfUrn, wildcardWrites } from "../../policy/policies";
import { record, type RecordedResource } from "../../scripts/recorder";
import { readStackConfig } from "../../scripts/stack-config";
import { plain, runPolicies, type Violation } from "./run-policies";

const CREDENTIAL = JSON.stringify({ email: "bot@example.com", apiToken: "tok-4f1e2d3c-never-in-plaintext" });
const stackConfig = readStackConfig("dev");
let all: RecordedResource[];
const savedSuffixVariable = process.env.ENVIRONMENT_SUFFIX;

beforeAll(async () => {
  // The suffix policy falls back to ENVIRONMENT_SUFFIX like the program; the recording's suffix comes from config.
  delete process.env.ENVIRONMENT_SUFFIX;
  const { monitor } = await record(() => require("../../index"), {
    ...stackConfig,
    config: { ...stackConfig.config, "monitoring-hub:jiraCredentials": CREDENTIAL },
    secretKeys: ["monitoring-hub:jiraCredentials"],
  });
  all = monitor.all();
});

afterAll(() => {
  if (savedSuffixVariable === undefined) delete process.env.ENVIRONMENT_SUFFIX;
  else process.env.ENVIRONMENT_SUFFIX = savedSuffixVariable;
});

// ------------------------------------------------------------------------------------------------------------------
// Building broken variants of the recording

type Props = Record<string, unknown>;
type Change = (resources: RecordedResource[]) => RecordedResource[];

const P = "monitoring-hub-";
const byName = (resources: readonly RecordedResource[], name: string) => {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no recorded resource named ${name}`);
  return found;
};

/** Replaces the resource `name` by a copy whose inputs and outputs went through `edit`. */
function editProps(name: string, edit: (props: Props) => void): Change {
  return (resources) => {
    byName(resources, name);
    return resources.map((r) => {
      if (r.name !== name) return r;
      const inputs = plain(r.inputs) as Props;
      const state = plain(r.state) as Props;
      edit(inputs);
      edit(state);
      return { ...r, inputs, state };
    });
  };
}

/** Replaces the resource `name` by a copy with other resource options. */
function editOptions(name: string, options: Partial<RecordedResource["options"]>): Change {
  return (resources) => {
    byName(resources, name);
    return resources.map((r) => (r.name === name ? { ...r, options: { ...r.options, ...options } } : r));
  };
}

/** Removes the resource `name`, and every edge to it. */
function remove(name: string): Change {
  return (resources) => {
    const gone = byName(resources, name).urn;
    return resources.filter((r) => r.urn !== gone).map((r) => withoutEdge(r, gone));
  };
}

/** Drops the dependency of `from` on `to` (explicit and through inputs). */
function dropDependency(from: string, to: string): Change {
  return (resources) => {
    const target = byName(resources, to).urn;
    byName(resources, from);
    return resources.map((r) => (r.name === from ? withoutEdge(r, target) : r));
  };
}

function withoutEdge(r: RecordedResource, urn: string): RecordedResource {
  const propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.filter((u) => u !== urn)]));
  return { ...r, dependencies: r.dependencies.filter((u) => u !== urn), propertyDependencies };
}

const variables = (props: Props) => (props.environment as { variables: Record<string, string> }).variables;

/** Adds `statement` to a JSON policy document given as a string. */
const withStatement = (document: unknown, statement: object) => {
  const doc = JSON.parse(String(document)) as { Statement: object[] };
  doc.Statement.push(statement);
  return JSON.stringify(doc);
};

/** Edits the member StackSet's CloudFormation template (a JSON string). */
const editTemplate = (edit: (template: { Resources: Record<string, { Properties: Record<string, unknown> }> }) => void) => (props: Props) => {
  const template = JSON.parse(String(props.templateBody));
  edit(template);
  props.templateBody = JSON.stringify(template);
};

const editPattern = (pattern: object) => (props: Props) => {
  props.eventPattern = JSON.stringify(pattern);
};

interface Variant {
  readonly policy: string;
  readonly title: string;
  readonly change: Change;
  /** Logical name of the resource the violation is on; `undefined`: the stack as a whole. */
  readonly resource: string | undefined;
  readonly message: RegExp;
}

const PUT_OBJECT_ON_EVERYTHING = { Sid: "Oops", Effect: "Allow", Action: "s3:PutObject", Resource: "*" };

/** At least one broken variant per policy; each must give exactly its one violation. */
const variants: Variant[] = [
  // alarms
  {
    policy: "alarms-breaching-with-ok-and-alarm-actions",
    title: 'a metric alarm with treatMissingData "notBreaching"',
    change: editProps(`${P}alarms-application-errors`, (p) => (p.treatMissingData = "notBreaching")),
    resource: `${P}alarms-application-errors`,
    message: /treatMissingData "notBreaching"\. Fix: set treatMissingData: "breaching"/,
  },
  {
    policy: "alarms-breaching-with-ok-and-alarm-actions",
    title: "a metric alarm without treatMissingData",
    change: editProps(`${P}alarms-jira-lambda-throttles`, (p) => delete p.treatMissingData),
    resource: `${P}alarms-jira-lambda-throttles`,
    message: /treatMissingData unset/,
  },
  {
    policy: "alarms-breaching-with-ok-and-alarm-actions",
    title: "a metric alarm without okActions",
    change: editProps(`${P}alarms-jira-lambda-errors`, (p) => delete p.okActions),
    resource: `${P}alarms-jira-lambda-errors`,
    message: /has no okActions\. Fix: set okActions/,
  },
  {
    policy: "alarms-breaching-with-ok-and-alarm-actions",
    title: "the composite alarm with empty alarmActions",
    change: editProps(`${P}alarms-application-health`, (p) => (p.alarmActions = [])),
    resource: `${P}alarms-application-health`,
    message: /CompositeAlarm ".*application-health" has no alarmActions/,
  },
  {
    policy: "alarms-breaching-with-ok-and-alarm-actions",
    title: "a metric alarm with its actions disabled",
    change: editProps(`${P}alarms-application-critical-errors`, (p) => (p.actionsEnabled = false)),
    resource: `${P}alarms-application-critical-errors`,
    message: /actionsEnabled: false/,
  },
  // log groups
  {
    policy: "log-group-retention-30-days",
    title: "a log group kept 7 days",
    change: editProps(`${P}logs-application`, (p) => (p.retentionInDays = 7)),
    resource: `${P}logs-application`,
    message: /LogGroup ".*logs-application" keeps events 7 days\. Fix: set retentionInDays: 30/,
  },
  {
    policy: "log-group-retention-30-days",
    title: "a log group kept forever",
    change: editProps(`${P}audit-log-group`, (p) => delete p.retentionInDays),
    resource: `${P}audit-log-group`,
    message: /keeps events forever/,
  },
  // customer managed keys
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a topic without kmsMasterKeyId",
    change: editProps(`${P}alerting-notices`, (p) => delete p.kmsMasterKeyId),
    resource: `${P}alerting-notices`,
    message: /Topic ".*alerting-notices" has no kmsMasterKeyId\. Fix:/,
  },
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a topic on the AWS managed alias/aws/sns",
    change: editProps(`${P}alerting-alerts`, (p) => (p.kmsMasterKeyId = "alias/aws/sns")),
    resource: `${P}alerting-alerts`,
    message: /uses the AWS managed key alias\/aws\/sns/,
  },
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a queue on SSE-SQS",
    change: editProps(`${P}jira-failures`, (p) => {
      delete p.kmsMasterKeyId;
      p.sqsManagedSseEnabled = true;
    }),
    resource: `${P}jira-failures`,
    message: /has no kmsMasterKeyId \(SSE-SQS is not customer managed\)/,
  },
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a table on the AWS managed key (no kmsKeyArn)",
    change: editProps(`${P}jira-tickets`, (p) => (p.serverSideEncryption = { enabled: true })),
    resource: `${P}jira-tickets`,
    message: /has no serverSideEncryption\.kmsKeyArn and so uses the AWS managed key/,
  },
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a table on the AWS owned key",
    change: editProps(`${P}jira-tickets`, (p) => delete p.serverSideEncryption),
    resource: `${P}jira-tickets`,
    message: /encrypted with an AWS owned key/,
  },
  {
    policy: "encrypted-with-customer-managed-key",
    title: "a secret on the AWS managed key by ARN",
    change: editProps(`${P}jira-credentials`, (p) => (p.kmsKeyId = "arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager")),
    resource: `${P}jira-credentials`,
    message: /uses the AWS managed key arn:aws:kms:us-east-1:111122223333:alias\/aws\/secretsmanager/,
  },
  // the JIRA Lambda
  {
    policy: "jira-lambda-128-mb",
    title: "the JIRA Lambda at 1024 MB",
    change: editProps(`${P}jira-function`, (p) => (p.memorySize = 1024)),
    resource: `${P}jira-function`,
    message: /Function ".*jira-function" has memorySize 1024\. Fix: set memorySize: 128/,
  },
  {
    policy: "lambda-no-plaintext-secrets",
    title: "a JIRA_TOKEN in the environment",
    change: editProps(`${P}jira-function`, (p) => (variables(p).JIRA_TOKEN = "hunter2-but-longer")),
    resource: `${P}jira-function`,
    message: /literal value in its environment variable JIRA_TOKEN, whose name says it is a secret\. Fix: keep the value in the Secrets Manager secret/,
  },
  {
    policy: "lambda-no-plaintext-secrets",
    title: "an Atlassian API token under an innocent name",
    change: editProps(`${P}jira-function`, (p) => (variables(p).JIRA_ISSUE_TYPE = "ATATT3xFfGF0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")),
    resource: `${P}jira-function`,
    message: /has an Atlassian API token in its environment variable JIRA_ISSUE_TYPE/,
  },
  {
    policy: "lambda-no-plaintext-secrets",
    title: "a password in the JIRA URL",
    change: editProps(`${P}jira-function`, (p) => (variables(p).JIRA_BASE_URL = "https://bot:s3cret-pw@example-sre.atlassian.net")),
    resource: `${P}jira-function`,
    message: /a URL with a password in its environment variable JIRA_BASE_URL/,
  },
  {
    policy: "lambda-no-plaintext-secrets",
    title: "the credential JSON itself in the environment",
    change: editProps(`${P}jira-function`, (p) => (variables(p).JIRA_SECRET_ARN = CREDENTIAL)),
    resource: `${P}jira-function`,
    message: /a JSON credential in its environment variable JIRA_SECRET_ARN/,
  },
  // names
  {
    policy: "physical-names-carry-environment-suffix",
    title: "a topic named without the suffix",
    change: editProps(`${P}alerting-alerts`, (p) => (p.name = "monitoring-hub-alerts")),
    resource: `${P}alerting-alerts`,
    message: /Topic ".*alerting-alerts" is named "monitoring-hub-alerts", which does not carry the environment suffix "dev" \(from the stack name\)/,
  },
  {
    policy: "physical-names-carry-environment-suffix",
    title: "a log group whose name has the suffix only inside a word",
    change: editProps(`${P}logs-api-access`, (p) => (p.name = "/monitoring-hub/devops/api-access")),
    resource: `${P}logs-api-access`,
    message: /is named "\/monitoring-hub\/devops\/api-access", which does not carry/,
  },
  {
    policy: "physical-names-carry-environment-suffix",
    title: "an auto-named role",
    change: editProps(`${P}jira-role`, (p) => delete p.name),
    resource: `${P}jira-role`,
    message: /Role ".*jira-role" has no name, so Pulumi names it ".*jira-role-<random>"/,
  },
  {
    policy: "physical-names-carry-environment-suffix",
    title: "a dashboard without the suffix",
    change: editProps(`${P}dashboard`, (p) => (p.dashboardName = "monitoring-hub")),
    resource: `${P}dashboard`,
    message: /Dashboard ".*dashboard" is named "monitoring-hub"/,
  },
  // destroyability
  {
    policy: "nothing-protected-or-retained",
    title: "a protected table",
    change: editOptions(`${P}jira-tickets`, { protect: true }),
    resource: `${P}jira-tickets`,
    message: /Table ".*jira-tickets" is protected, so pulumi destroy stops at it\. Fix: remove the protect resource option/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a key retained on delete",
    change: editOptions(`${P}alerting-key`, { retainOnDelete: true }),
    resource: `${P}alerting-key`,
    message: /is retained on delete/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a table with deletion protection",
    change: editProps(`${P}jira-tickets`, (p) => (p.deletionProtectionEnabled = true)),
    resource: `${P}jira-tickets`,
    message: /has deletionProtectionEnabled: true/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a log group that skips destroy",
    change: editProps(`${P}jira-logs`, (p) => (p.skipDestroy = true)),
    resource: `${P}jira-logs`,
    message: /has skipDestroy: true/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a secret with the default recovery window",
    change: editProps(`${P}jira-credentials`, (p) => delete p.recoveryWindowInDays),
    resource: `${P}jira-credentials`,
    message: /recoveryWindowInDays unset \(30 days\).*Fix: set recoveryWindowInDays: 0/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a key with a 30-day deletion window",
    change: editProps(`${P}alerting-key`, (p) => (p.deletionWindowInDays = 30)),
    resource: `${P}alerting-key`,
    message: /deletionWindowInDays 30\. Fix: set deletionWindowInDays: 7/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a StackSet that retains stacks in accounts leaving the OU",
    change: editProps(`${P}members-member-stack-set`, (p) => (p.autoDeployment = { enabled: true, retainStacksOnAccountRemoval: true })),
    resource: `${P}members-member-stack-set`,
    message: /retainStacksOnAccountRemoval: false/,
  },
  {
    policy: "nothing-protected-or-retained",
    title: "a StackSet instance that retains its stacks",
    change: editProps(`${P}members-member-ou-ab12-cdef3456`, (p) => (p.retainStack = true)),
    resource: `${P}members-member-ou-ab12-cdef3456`,
    message: /has retainStack: true/,
  },
  // IAM
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: 'the Lambda role policy allows s3:PutObject on "*"',
    change: editProps(`${P}jira-role-policy`, (p) => (p.policy = withStatement(p.policy, PUT_OBJECT_ON_EVERYTHING))),
    resource: `${P}jira-role-policy`,
    message: /RolePolicy ".*jira-role-policy": statement "Oops" of its policy allows s3:PutObject on Resource "\*"\. Fix: scope Resource/,
  },
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: 'the member role in the StackSet template allows s3:PutObject on "*"',
    change: editProps(
      `${P}members-member-stack-set`,
      editTemplate((t) => {
        const policy = (t.Resources.MonitoringRole.Properties.Policies as Array<{ PolicyDocument: { Statement: object[] } }>)[0];
        policy.PolicyDocument.Statement.push({ Effect: "Allow", Action: ["cloudwatch:GetMetricData", "s3:PutObject"], Resource: ["*"] });
      }),
    ),
    resource: `${P}members-member-stack-set`,
    message: /statement #2 of its template resource MonitoringRole, policy cloudwatch-logs-read-only allows s3:PutObject on Resource "\*"/,
  },
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: "a template that adds a managed policy with a wildcard write",
    change: editProps(
      `${P}members-member-stack-set`,
      editTemplate((t) => {
        t.Resources.Extra = {
          Type: "AWS::IAM::ManagedPolicy",
          Properties: { PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:*", Resource: "*" }] } },
        } as never;
      }),
    ),
    resource: `${P}members-member-stack-set`,
    message: /template resource Extra allows logs:\* on Resource "\*"/,
  },
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: "NotAction on every resource",
    change: editProps(`${P}jira-role-policy`, (p) => (p.policy = withStatement(p.policy, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }))),
    resource: `${P}jira-role-policy`,
    message: /allows every action except iam:\* \(NotAction\)/,
  },
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: "a role with an inline wildcard write",
    change: editProps(`${P}jira-role`, (p) => (p.inlinePolicies = [{ name: "extra", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] }) }])),
    resource: `${P}jira-role`,
    message: /inline policy extra allows sqs:\* on Resource "\*"/,
  },
  {
    policy: "iam-no-write-on-wildcard-resource",
    title: "a StackSet template that is not JSON",
    change: editProps(`${P}members-member-stack-set`, (p) => (p.templateBody = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")),
    resource: `${P}members-member-stack-set`,
    message: /templateBody that is not JSON/,
  },
  // audit trail (stack policy)
  {
    policy: "audit-rule-matches-alarm-state-changes",
    title: "the audit rule matches its source only",
    change: editProps(`${P}audit-rule`, editPattern({ source: ["aws.cloudwatch"] })),
    resource: `${P}audit-rule`,
    message: /EventRule ".*audit-rule" does not match a detail-type, so it records every event of its source/,
  },
  {
    policy: "audit-rule-matches-alarm-state-changes",
    title: "the audit rule matches another detail-type",
    change: editProps(`${P}audit-rule`, editPattern({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm Configuration Change"] })),
    resource: `${P}audit-rule`,
    message: /matches detail-type \["CloudWatch Alarm Configuration Change"\], not "CloudWatch Alarm State Change"/,
  },
  {
    policy: "audit-rule-matches-alarm-state-changes",
    title: "no rule delivers into the audit log group",
    change: remove(`${P}audit-target`),
    resource: undefined,
    message: /No EventBridge rule delivers into a CloudWatch Logs log group/,
  },
  // Lambda log groups (stack policy)
  {
    policy: "lambda-log-group-in-stack",
    title: "the Lambda's log group is not created by the stack",
    change: remove(`${P}jira-logs`),
    resource: `${P}jira-function`,
    message: /writes to log group "\/aws\/lambda\/monitoring-hub-jira-handler-dev", which this stack does not create/,
  },
  {
    policy: "lambda-log-group-in-stack",
    title: "the Lambda does not depend on its log group",
    change: dropDependency(`${P}jira-function`, `${P}jira-logs`),
    resource: `${P}jira-function`,
    message: /does not depend on its log group/,
  },
];

const summary = (violations: readonly Violation[]) => violations.map((v) => ({ policy: v.policy, resource: v.name, message: v.message }));

describe("the policy pack", () => {
  it("has uniquely named, mandatory policies with a description", () => {
    const names = policies.map((p) => p.name);

    expect(new Set(names).size).toBe(names.length);
    for (const p of policies) {
      expect(p.enforcementLevel).toBe("mandatory");
      expect(p.description.length).toBeGreaterThan(40);
    }
  });

  it("has a broken-variant test for every policy, and none for a policy it does not have", () => {
    expect([...new Set(variants.map((v) => v.policy))].sort()).toEqual(policies.map((p) => p.name).sort());
  });
});

describe("building blocks", () => {
  it.each([
    ["logs:DescribeLogGroups", true],
    ["cloudwatch:Get*", true],
    ["logs:StartQuery", true],
    ["LOGS:filterlogevents", true],
    ["dynamodb:BatchGetItem", true],
    ["kms:GenerateDataKey", false],
    ["cloudwatch:G*", false],
    ["s3:*", false],
    ["*", false],
    ["*:Get*", false],
    ["sns:Publish", false],
  ])("isReadOnlyAction(%s) is %s", (action, expected) => {
    expect(isReadOnlyAction(action)).toBe(expected);
  });

  it("finds wildcard writes only in Allow statements on every resource", () => {
    const doc = {
      Statement: [
        { Effect: "Allow", Action: ["logs:Describe*", "logs:PutLogEvents"], Resource: "*" },
        { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket/*" },
        { Effect: "Deny", Action: "*", Resource: "*" },
        { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
        { Effect: "Allow", Action: "ec2:TerminateInstances", Resource: "arn:aws:*:*:*:*" },
        { Effect: "Allow", Action: "sqs:SendMessage", NotResource: "arn:aws:sqs:us-east-1:111122223333:q" },
      ],
    };

    expect(wildcardWrites(doc)).toEqual([
      { statement: "#1", actions: ["logs:PutLogEvents"] },
      { statement: "#5", actions: ["ec2:TerminateInstances"] },
      { statement: "#6", actions: ["sqs:SendMessage"] },
    ]);
  });

  it("tells AWS managed keys from customer managed ones", () => {
    expect(isAwsManagedKey("alias/aws/sns")).toBe(true);
    expect(isAwsManagedKey("arn:aws:kms:us-east-1:111122223333:alias/aws/dynamodb")).toBe(true);
    expect(isAwsManagedKey("alias/monitoring-hub-alerting-dev")).toBe(false);
    expect(isAwsManagedKey("arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")).toBe(false);
  });

  it("matches the suffix as a whole token, and reads the stack from a URN", () => {
    expect(carriesSuffix("monitoring-hub-alerts-dev", "dev")).toBe(true);
    expect(carriesSuffix("/monitoring-hub/dev/application", "dev")).toBe(true);
    expect(carriesSuffix("alias/monitoring-hub-alerting-dev-eu", "dev-eu")).toBe(true);
    expect(carriesSuffix("monitoring-hub-devops", "dev")).toBe(false);
    expect(carriesSuffix("monitoring-hub-alerts-prod", "dev")).toBe(false);
    expect(stackOfUrn("urn:pulumi:staging::monitoring-hub::aws:sns/topic:Topic::alerts")).toBe("staging");
  });
});

describe("the dev program", () => {
  it("satisfies every policy", async () => {
    const run = await runPolicies(policies, all);

    expect(summary(run.violations)).toEqual([]);
    expect(run.unknown).toEqual([]);
  });

  it("is checked by every policy (each applies to at least one recorded resource)", async () => {
    const run = await runPolicies(policies, all);
    const appliedToNothing = policies.filter((p) => {
      const skipped = run.notApplicable.get(p.name) ?? [];
      return skipped.includes("stack") || skipped.length === all.length;
    });

    expect(appliedToNothing.map((p) => p.name)).toEqual([]);
  });

  it("carries the suffix the policy config names, and fails every physical name against another one", async () => {
    const dev = await runPolicies(policies, all, { config: { "physical-names-carry-environment-suffix": { environmentSuffix: "dev" } } });
    const prod = await runPolicies(policies, all, { config: { "physical-names-carry-environment-suffix": { environmentSuffix: "prod" } } });

    expect(dev.violations).toEqual([]);
    expect(new Set(prod.violations.map((v) => v.policy))).toEqual(new Set(["physical-names-carry-environment-suffix"]));
    // Every custom resource with an account-wide name: all but the policies, targets, subscriptions, instances...
    expect(prod.violations.map((v) => v.name)).toEqual(
      expect.arrayContaining([`${P}alerting-alerts`, `${P}jira-function`, `${P}members-member-stack-set`, `${P}alerting-key-alias`, `${P}audit-log-policy`]),
    );
    expect(prod.violations.length).toBeGreaterThanOrEqual(25);
    expect(prod.violations[0].message).toMatch(/from the policy config environmentSuffix/);
  });

  it("takes the suffix from ENVIRONMENT_SUFFIX when the policy config has none, as the program does", async () => {
    process.env.ENVIRONMENT_SUFFIX = "staging";
    try {
      const run = await runPolicies(policies, all);

      expect(run.violations.length).toBeGreaterThanOrEqual(25);
      expect(run.violations[0].message).toMatch(/"staging" \(from ENVIRONMENT_SUFFIX\)/);
    } finally {
      delete process.env.ENVIRONMENT_SUFFIX;
    }
  });
});

describe("each policy fails on a deliberately broken resource", () => {
  it.each(variants.map((v) => [`${v.policy}: ${v.title}`, v] as const))("%s", async (_title, variant) => {
    const run = await runPolicies(policies, variant.change(all));

    expect(summary(run.violations)).toEqual([{ policy: variant.policy, resource: variant.resource, message: expect.stringMatching(variant.message) }]);
    expect(run.unknown).toEqual([]);
  });
});

describe("during a preview (unknown values)", () => {
  /** @pulumi/policy's sentinel for a string only known after deployment. */
  const UNKNOWN_STRING = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

  it("reports a policy that needs an unknown value as unable to run, not as passed", async () => {
    const run = await runPolicies(policies, editProps(`${P}jira-role-policy`, (p) => (p.policy = UNKNOWN_STRING))(all));

    expect(run.violations).toEqual([]);
    expect(run.unknown.map((u) => [u.policy, u.name])).toEqual([["iam-no-write-on-wildcard-resource", `${P}jira-role-policy`]]);
  });

  it("still finds a literal secret next to environment values that are not known yet", async () => {
    const broken = editProps(`${P}jira-function`, (p) => {
      variables(p).FALLBACK_TOPIC_ARN = UNKNOWN_STRING;
      variables(p).JIRA_SECRET_ARN = UNKNOWN_STRING;
      variables(p).JIRA_API_KEY = "k-1234567890";
    })(all);
    const run = await runPolicies(policies, broken);

    expect(summary(run.violations)).toEqual([{ policy: "lambda-no-plaintext-secrets", resource: `${P}jira-function`, message: expect.stringMatching(/JIRA_API_KEY/) }]);
    expect(run.unknown).toEqual([]);
  });
});
