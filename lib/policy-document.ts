/**
 * The one type of an AWS policy document (IAM identity, trust and resource policies, KMS key policies, SNS topic, SQS
 * queue, OAM sink and CloudWatch Logs resource policies all share the grammar). The builders that return these are
 * pure functions over plain values; the call site lifts them over Outputs and serializes them once.
 *
 * `V` is the type of a value in the document: a principal, a resource or a condition value. It is a plain `string`
 * everywhere except in a document that lives inside a CloudFormation template, which may also use intrinsics there
 * (`TemplatePolicyDocument` in lib/cross-account.ts; CloudFormation resolves them at deploy time).
 */

/** The current policy language version (the older `2008-10-17` does not support policy variables). */
export type PolicyVersion = "2012-10-17";

/** A single value or a list of them: IAM accepts either wherever a list is allowed. */
export type OneOrMany<V> = V | readonly V[];

/**
 * Who a statement of a resource, key or trust policy applies to. `"*"` is anyone (narrowed by the statement's
 * conditions); identity policies have no principal.
 */
export type PolicyPrincipal<V = string> =
  | "*"
  | { readonly AWS: OneOrMany<V> }
  | { readonly Service: OneOrMany<V> };

/**
 * Conditions of a statement: operator (`StringEquals`, `ArnLike`, ...) to condition key (`aws:SourceAccount`, ...) to
 * the value or values the key must match.
 */
export type PolicyCondition<V = string> = Readonly<Record<string, Readonly<Record<string, OneOrMany<V>>>>>;

/** One statement of a {@link PolicyDocument}. */
export interface PolicyStatement<V = string> {
  /** Unique within the document. IAM makes it optional; we require it so reviews and test failures can name a statement. */
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  /** Only in resource, key and trust policies. */
  readonly Principal?: PolicyPrincipal<V>;
  readonly Action: OneOrMany<string>;
  /** Absent only in trust policies, where IAM refuses it. */
  readonly Resource?: OneOrMany<V>;
  readonly Condition?: PolicyCondition<V>;
}

/** A policy document as AWS reads it. */
export interface PolicyDocument<V = string> {
  readonly Version: PolicyVersion;
  readonly Statement: readonly PolicyStatement<V>[];
}
