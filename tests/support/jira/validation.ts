import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import OpenAPIBackend, { type Operation, type Request } from "openapi-backend";
import { sharedPath } from "../shared-material";

/** JIRA's limit on every text field, summary excepted (jira.text.field.character.limit). */
export const TEXT_FIELD_LIMIT = 32_767;
/** JIRA's limit on the summary and on a single label. */
export const SUMMARY_LIMIT = 255;

/** Rewrites `{$ref, ...siblings}` to `{allOf: [{$ref}], ...siblings}`: OpenAPI 3.0 ignores siblings of `$ref`. */
function fixRefSiblings(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(fixRefSiblings);
  } else if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === "string" && Object.keys(record).length > 1) {
      record.allOf = [{ $ref: record.$ref }];
      delete record.$ref;
    }
    Object.values(record).forEach(fixRefSiblings);
  }
}

let contract: Promise<OpenAPIBackend> | undefined;

/**
 * The JIRA Cloud platform OpenAPI description, parsed once per module registry (2.4 MB: ~40 ms in quick mode, TOOLING 4).
 * Quick mode compiles each operation's validator on first use; the spec's own `$ref` sibling is fixed first.
 */
export function loadCloudContract(): Promise<OpenAPIBackend> {
  contract ??= (async () => {
    const definition = JSON.parse(readFileSync(sharedPath("contracts", "jira-cloud-platform.openapi.json"), "utf8"));
    fixRefSiblings(definition);
    const api = new OpenAPIBackend({
      definition,
      quick: true,
      validate: true,
      coerceTypes: true,
      customizeAjv: (ajv) => {
        addFormats(ajv);
        return ajv;
      },
    });
    await api.init();
    return api;
  })();
  return contract;
}

/** Result of matching a request against the cloud contract. */
export interface CloudMatch {
  readonly operation: Operation;
  /** Spec violations of path, query and body; empty when the request conforms. */
  readonly problems: string[];
}

/** Finds the operation a request addresses (undefined: no such path and method) and validates the request. */
export function matchCloudRequest(api: OpenAPIBackend, request: Request): CloudMatch | undefined {
  const operation = api.router.matchOperation(request);
  if (operation === undefined) return undefined;
  const result = api.validator.validateRequest(request, operation);
  const problems = (result.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`.trim());
  return { operation, problems };
}

/** Checks one of the emulator's own responses against the spec, so the emulator cannot drift from real JIRA. */
export function responseProblems(api: OpenAPIBackend, operationId: string, status: number, body: unknown): string[] {
  const result = api.validator.validateResponse(body, operationId, status);
  return (result.errors ?? []).map((e) => `${operationId} ${status} response ${e.instancePath || "/"} ${e.message}`);
}

let adfValidator: ValidateFunction | undefined;

/** The vendored `@atlaskit/adf-schema` json-schema/v1/full.json (draft-04), compiled once (~230 ms). */
function adf(): ValidateFunction {
  if (adfValidator === undefined) {
    const schema = JSON.parse(readFileSync(path.join(__dirname, "..", "adf-schema", "full.json"), "utf8"));
    const ajv = new Ajv04({ strict: false, allErrors: false });
    adfValidator = ajv.compile(schema);
  }
  return adfValidator;
}

/** Why `value` is not an Atlassian Document, or undefined when it is one. */
export function adfProblem(value: unknown): string | undefined {
  const validate = adf();
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return `Operation value must be an Atlassian Document (${first?.instancePath || "/"} ${first?.message ?? "invalid"})`;
}

/** The plain text of an ADF document: text nodes joined, blocks separated by newlines. */
export function adfText(node: unknown): string {
  if (node === null || typeof node !== "object") return "";
  const record = node as { type?: unknown; text?: unknown; content?: unknown };
  if (record.type === "text" && typeof record.text === "string") return record.text;
  if (record.type === "hardBreak") return "\n";
  const children = Array.isArray(record.content) ? record.content.map(adfText) : [];
  const inline = record.type === "paragraph" || record.type === "heading" || record.type === "listItem";
  return children.join(inline || record.type === undefined ? "" : "\n");
}

/** How rich-text fields are written: ADF objects on Cloud REST v3, wiki-markup strings on Data Center REST v2. */
export type TextFlavour = "adf" | "wiki";

/** Problems of one rich-text value (a description or a comment body), keyed like JIRA's `errors` map. */
export function textProblem(value: unknown, flavour: TextFlavour): string | undefined {
  if (flavour === "adf") {
    const problem = adfProblem(value);
    if (problem !== undefined) return problem;
    if (adfText(value).length > TEXT_FIELD_LIMIT) return "The entered text is too long. It exceeds the allowed limit of 32,767 characters.";
    return undefined;
  }
  if (typeof value !== "string") return "The value must be a string (wiki markup) on REST v2.";
  if (value.trim() === "") return "The value can not be empty.";
  if (value.length > TEXT_FIELD_LIMIT) return "The entered text is too long. It exceeds the allowed limit of 32,767 characters.";
  return undefined;
}

/** Fields a create request of the contract may carry; any other field is a violation unless the test's screen has it. */
const CONTRACT_CREATE_FIELDS = ["project", "summary", "description", "issuetype", "labels", "priority"];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Checks the `fields` of a create request the way JIRA does for malformed values, keyed by field name. A well-formed
 * value that names something absent (an unknown issue type, a field the project's screen lacks) is not checked here:
 * that is a business answer, not a malformed request. `screenFields` are further fields a test's screen offers.
 */
export function createFieldProblems(fields: unknown, flavour: TextFlavour, screenFields: readonly string[] = []): Record<string, string> {
  if (!isRecord(fields)) return { fields: "fields must be an object" };
  const problems: Record<string, string> = {};
  const known = new Set([...CONTRACT_CREATE_FIELDS, ...screenFields]);
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) problems[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  const project = fields.project;
  if (!isRecord(project) || typeof project.key !== "string" || project.key === "") {
    problems.project = "Specify a valid project ID or key (the contract sends project.key)";
  }
  const summary = fields.summary;
  if (typeof summary !== "string" || summary.trim() === "") {
    problems.summary = "You must specify a summary of the issue.";
  } else if (summary.length > SUMMARY_LIMIT) {
    problems.summary = "Summary can't exceed 255 characters.";
  } else if (/[\r\n]/.test(summary)) {
    problems.summary = "The summary is invalid because it contains newline characters.";
  }
  const issuetype = fields.issuetype;
  if (!isRecord(issuetype) || typeof issuetype.name !== "string" || issuetype.name === "") {
    problems.issuetype = "Specify an issue type (the contract sends issuetype.name)";
  }
  if (fields.labels !== undefined) {
    if (!Array.isArray(fields.labels)) {
      problems.labels = "labels must be an array of strings";
    } else {
      for (const label of fields.labels) {
        if (typeof label !== "string" || label === "") problems.labels = "A label must be a non-empty string.";
        else if (/\s/.test(label)) problems.labels = `The label '${label}' contains spaces which is invalid.`;
        else if (label.length > SUMMARY_LIMIT) {
          problems.labels = `The label '${label}' exceeds the maximum length for a single label of 255 characters.`;
        }
      }
    }
  }
  if (fields.description !== undefined && fields.description !== null) {
    const problem = textProblem(fields.description, flavour);
    if (problem !== undefined) problems.description = problem;
  }
  if (fields.priority !== undefined && (!isRecord(fields.priority) || typeof fields.priority.name !== "string")) {
    problems.priority = "priority must be {name}";
  }
  return problems;
}

/** Problems of a transition request body (both flavours): a string id, optional resolution, optional comment. */
export function transitionProblems(body: unknown, flavour: TextFlavour): Record<string, string> {
  if (!isRecord(body)) return { body: "The request body must be an object" };
  const problems: Record<string, string> = {};
  const transition = body.transition;
  if (!isRecord(transition) || typeof transition.id !== "string" || !/^\d+$/.test(transition.id)) {
    problems.transition = "transition.id must be the transition id as a string of digits";
  }
  if (body.fields !== undefined) {
    if (!isRecord(body.fields)) {
      problems.fields = "fields must be an object";
    } else {
      for (const [name, value] of Object.entries(body.fields)) {
        if (name !== "resolution") problems[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
        else if (!isRecord(value) || typeof value.name !== "string") problems.resolution = "resolution must be {name}";
      }
    }
  }
  if (body.update !== undefined) {
    const comments = isRecord(body.update) ? body.update.comment : undefined;
    const others = isRecord(body.update) ? Object.keys(body.update).filter((k) => k !== "comment") : [];
    if (!isRecord(body.update) || others.length > 0 || !Array.isArray(comments)) {
      problems.update = "only update.comment[].add.body is emulated on transitions";
    } else {
      for (const op of comments) {
        const added = isRecord(op) && isRecord(op.add) ? op.add.body : undefined;
        const problem = textProblem(added, flavour);
        if (problem !== undefined) problems.comment = problem;
      }
    }
  }
  return problems;
}

/** Problems of a comment request body: `{body}` plus JIRA's optional `visibility`. */
export function commentProblems(body: unknown, flavour: TextFlavour): Record<string, string> {
  if (!isRecord(body)) return { body: "The request body must be an object" };
  const problems: Record<string, string> = {};
  for (const name of Object.keys(body)) {
    if (name !== "body" && name !== "visibility" && name !== "properties") problems[name] = `Unrecognized field "${name}"`;
  }
  const problem = textProblem(body.body, flavour);
  if (problem !== undefined) problems.comment = problem;
  return problems;
}

const DC_SEARCH_KEYS = new Set(["jql", "startAt", "maxResults", "fields", "expand", "validateQuery", "properties", "fieldsByKeys"]);

/** Problems of a Data Center `POST /rest/api/2/search` body. */
export function dcSearchProblems(body: unknown): Record<string, string> {
  if (!isRecord(body)) return { body: "The request body must be an object" };
  const problems: Record<string, string> = {};
  for (const name of Object.keys(body)) {
    if (!DC_SEARCH_KEYS.has(name)) problems[name] = `Unrecognized field "${name}" (not in SearchRequestBean)`;
  }
  if (typeof body.jql !== "string") problems.jql = "jql must be a string";
  for (const name of ["startAt", "maxResults"] as const) {
    if (body[name] !== undefined && !Number.isInteger(body[name])) problems[name] = `${name} must be an integer`;
  }
  if (body.fields !== undefined && !(Array.isArray(body.fields) && body.fields.every((f) => typeof f === "string"))) {
    problems.fields = "fields must be an array of strings";
  }
  return problems;
}
