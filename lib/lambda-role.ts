/**
 * What the two functions of the JIRA handler's bundle share: the notification function (lib/jira-lambda.ts) and the
 * reconciliation sweep (lib/reconcile.ts) each get their own managed log group and execution role with the same trust
 * policy, and their role policies are built from the same statements. The statement builders are pure; the callers
 * lift them over Outputs and serialize the whole document once.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./naming";
import type { PolicyDocument, PolicyStatement } from "./policy-document";

/** Inputs of {@link createLambdaLogsAndRole}. */
export interface LambdaLogsAndRoleArgs {
  readonly ctx: StackContext;
  /** The function's physical name; the role and the log group (`/aws/lambda/<name>`) are named after it. */
  readonly functionName: string;
  readonly logRetentionDays: number;
}

/** What {@link createLambdaLogsAndRole} created. */
export interface LambdaLogsAndRole {
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** Carries only the trust policy; the caller attaches the role policy. */
  readonly role: aws.iam.Role;
}

/**
 * Creates a function's own log group (`${name}-logs`) and its execution role (`${name}-role`), which Lambda may assume
 * only for functions of this account ({@link jiraLambdaTrustPolicy}).
 */
export function createLambdaLogsAndRole(name: string, args: LambdaLogsAndRoleArgs, opts: pulumi.CustomResourceOptions): LambdaLogsAndRole {
  const { ctx, functionName } = args;
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, tags: ctx.tags },
    { ...opts },
  );
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      name: functionName,
      assumeRolePolicy: ctx.accountId.apply((accountId) => JSON.stringify(jiraLambdaTrustPolicy({ accountId }))),
      tags: ctx.tags,
    },
    { ...opts },
  );
  return { logGroup, role };
}

/** Lambda may assume the role only for functions of this account (confused-deputy guard). */
export function jiraLambdaTrustPolicy(args: { readonly accountId: string }): PolicyDocument {
  return serviceTrustPolicy({ sid: "LambdaAssumesRole", service: "lambda.amazonaws.com", accountId: args.accountId });
}

/** A trust policy in which one AWS service may assume the role, and only on behalf of resources of `accountId`. */
export function serviceTrustPolicy(args: { readonly sid: string; readonly service: string; readonly accountId: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: args.sid,
        Effect: "Allow",
        Principal: { Service: args.service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
      },
    ],
  };
}

/** The resources both functions' roles are granted, exactly. */
export interface JiraBundleGrantArgs {
  /** As the provider reports it, without a trailing `:*`. */
  readonly logGroupArn: string;
  readonly secretArn: string;
  readonly tableArn: string;
  readonly noticeTopicArn: string;
  readonly keyArn: string;
  /** `kms:ViaService` names the endpoint (`<service>.<region>.<dns suffix>`) of the service calling KMS. */
  readonly region: string;
  readonly partition: string;
}

/** Writes to the function's own log group's streams. */
export function writeOwnLogsStatement(logGroupArn: string): PolicyStatement {
  return {
    // Both actions authorize against the stream (`<group arn>:log-stream:<name>`), per the IAM service reference.
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:log-stream:*`,
  };
}

/** Reads the JIRA credential secret. */
export function readJiraCredentialStatement(secretArn: string): PolicyStatement {
  return { Sid: "ReadJiraCredential", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn };
}

/** Reads and writes ticket records in the tickets table (never scans or deletes). */
export function trackTicketsStatement(tableArn: string): PolicyStatement {
  return {
    Sid: "TrackTickets",
    Effect: "Allow",
    Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    Resource: tableArn,
  };
}

/** Publishes the human notice to the notice topic (never the alert topic: that would raise notifications). */
export function notifyHumansStatement(noticeTopicArn: string): PolicyStatement {
  return { Sid: "NotifyHumans", Effect: "Allow", Action: "sns:Publish", Resource: noticeTopicArn };
}

/** A service that encrypts with the key on the function's behalf when it writes. */
export type KeyWritingService = "sns" | "sqs" | "dynamodb";

/**
 * The two key statements, each only through the services named: `writingServices` may decrypt and generate data keys,
 * Secrets Manager may only decrypt.
 */
export function useKeyThroughServicesStatements(
  args: Pick<JiraBundleGrantArgs, "keyArn" | "region" | "partition">,
  writingServices: readonly KeyWritingService[],
): PolicyStatement[] {
  const dnsSuffix = args.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const via = (service: string) => `${service}.${args.region}.${dnsSuffix}`;
  return [
    {
      Sid: "UseKeyThroughWritingServices",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: args.keyArn,
      Condition: { StringEquals: { "kms:ViaService": writingServices.map(via) } },
    },
    {
      // Reading a secret only decrypts.
      Sid: "UseKeyThroughSecretsManager",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.keyArn,
      Condition: { StringEquals: { "kms:ViaService": via("secretsmanager") } },
    },
  ];
}
