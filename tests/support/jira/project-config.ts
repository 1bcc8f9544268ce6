/** Project configuration the emulator lets a test vary: the create screen and the user's project permissions. */

/** The `schema` JIRA gives each field of the create metadata (JsonTypeBean). */
export interface FieldSchema {
  readonly type: string;
  readonly items?: string;
  readonly system?: string;
  readonly custom?: string;
  readonly customId?: number;
}

/** One field of the create screen of the emulated project (every issue type shares it). */
export interface CreateScreenField {
  /** `summary`, `labels`, `customfield_10050`... */
  readonly fieldId: string;
  readonly name: string;
  /** @default false */
  readonly required?: boolean;
  /** JIRA fills a value in when the request has none (reporter, priority). @default false */
  readonly hasDefaultValue?: boolean;
  /** @default a system field of type string */
  readonly schema?: FieldSchema;
}

/**
 * A classic create screen: summary (required), description, labels, priority and reporter (required, defaulted to
 * the caller). `project` and `issuetype` are always listed in addition, as JIRA does.
 */
export const DEFAULT_CREATE_SCREEN: readonly CreateScreenField[] = [
  { fieldId: "summary", name: "Summary", required: true, schema: { type: "string", system: "summary" } },
  { fieldId: "description", name: "Description", schema: { type: "string", system: "description" } },
  { fieldId: "labels", name: "Labels", schema: { type: "array", items: "string", system: "labels" } },
  { fieldId: "priority", name: "Priority", hasDefaultValue: true, schema: { type: "priority", system: "priority" } },
  { fieldId: "reporter", name: "Reporter", required: true, hasDefaultValue: true, schema: { type: "user", system: "reporter" } },
];

/** The create screen without the named fields, e.g. `screenWithout("labels")`. */
export function screenWithout(...fieldIds: string[]): CreateScreenField[] {
  return DEFAULT_CREATE_SCREEN.filter((f) => !fieldIds.includes(f.fieldId));
}

/** Fields JIRA always lists first in the create metadata: the context of the create. */
export const CONTEXT_FIELDS: readonly CreateScreenField[] = [
  { fieldId: "project", name: "Project", required: true, schema: { type: "project", system: "project" } },
  { fieldId: "issuetype", name: "Issue Type", required: true, schema: { type: "issuetype", system: "issuetype" } },
];

/** Project permissions the emulator knows (JIRA's keys), all granted by default. */
export const PROJECT_PERMISSIONS = [
  "BROWSE_PROJECTS",
  "CREATE_ISSUES",
  "EDIT_ISSUES",
  "ADD_COMMENTS",
  "TRANSITION_ISSUES",
  "RESOLVE_ISSUES",
  "CLOSE_ISSUES",
  "ASSIGN_ISSUES",
] as const;
export type ProjectPermission = (typeof PROJECT_PERMISSIONS)[number];

/** JIRA's display names of {@link PROJECT_PERMISSIONS}. */
export const PERMISSION_NAMES: Readonly<Record<ProjectPermission, string>> = {
  BROWSE_PROJECTS: "Browse Projects",
  CREATE_ISSUES: "Create Issues",
  EDIT_ISSUES: "Edit Issues",
  ADD_COMMENTS: "Add Comments",
  TRANSITION_ISSUES: "Transition Issues",
  RESOLVE_ISSUES: "Resolve Issues",
  CLOSE_ISSUES: "Close Issues",
  ASSIGN_ISSUES: "Assign Issues",
};
