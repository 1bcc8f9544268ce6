/** The three JIRA status categories; every status belongs to one (Atlassian: statusCategory key). */
export type StatusCategoryKey = "new" | "indeterminate" | "done";

/** A status of the emulated workflow. */
export interface WorkflowStatus {
  readonly id: string;
  readonly name: string;
  readonly category: StatusCategoryKey;
}

/** A transition of the emulated workflow. */
export interface WorkflowTransition {
  /** JIRA transition ids are strings of digits, e.g. "31". */
  readonly id: string;
  readonly name: string;
  /** Id of the target status. */
  readonly to: string;
  /**
   * Ids of the statuses this transition starts from.
   * @default every status except the target (a global transition)
   */
  readonly from?: readonly string[];
}

/** Statuses and transitions of the emulated project; transitions are listed to callers in this order. */
export interface Workflow {
  readonly statuses: readonly WorkflowStatus[];
  readonly transitions: readonly WorkflowTransition[];
  /** Status id of a newly created issue. */
  readonly initialStatus: string;
}

/** JIRA Cloud's default "simplified" workflow: three global transitions named after their target statuses. */
export const DEFAULT_WORKFLOW: Workflow = {
  statuses: [
    { id: "10000", name: "To Do", category: "new" },
    { id: "10001", name: "In Progress", category: "indeterminate" },
    { id: "10002", name: "Done", category: "done" },
  ],
  transitions: [
    { id: "11", name: "To Do", to: "10000" },
    { id: "21", name: "In Progress", to: "10001" },
    { id: "31", name: "Done", to: "10002" },
  ],
  initialStatus: "10000",
};

/**
 * A team workflow where no transition or status is called "Done" or "Resolve": the done transition is
 * "Resolve as fixed", a non-done transition is listed first, and reopening is an explicit "Reopen" (PEERS A8).
 */
export const RESOLVE_AS_FIXED_WORKFLOW: Workflow = {
  statuses: [
    { id: "1", name: "Open", category: "new" },
    { id: "3", name: "Investigating", category: "indeterminate" },
    { id: "5", name: "Fixed", category: "done" },
  ],
  transitions: [
    { id: "711", name: "Start investigation", to: "3", from: ["1"] },
    { id: "721", name: "Resolve as fixed", to: "5", from: ["1", "3"] },
    { id: "731", name: "Reopen", to: "1", from: ["5"] },
  ],
  initialStatus: "1",
};

const CATEGORY_DETAILS: Record<StatusCategoryKey, { id: number; name: string; colorName: string }> = {
  new: { id: 2, name: "To Do", colorName: "blue-gray" },
  indeterminate: { id: 4, name: "In Progress", colorName: "yellow" },
  done: { id: 3, name: "Done", colorName: "green" },
};

/** The `statusCategory` object JIRA nests in every status. */
export function statusCategoryOf(baseUrl: string, apiVersion: 2 | 3, key: StatusCategoryKey): Record<string, unknown> {
  const { id, name, colorName } = CATEGORY_DETAILS[key];
  return { self: `${baseUrl}/rest/api/${apiVersion}/statuscategory/${id}`, id, key, colorName, name };
}

/** Names and ids JQL accepts for a status category (`statusCategory = Done`, `= "In Progress"`, `= 3`). */
export function categoryMatches(key: StatusCategoryKey, value: string): boolean {
  const details = CATEGORY_DETAILS[key];
  const wanted = value.toLowerCase();
  return wanted === details.name.toLowerCase() || wanted === key || wanted === String(details.id);
}

/** True when JQL knows `value` as a status category. */
export function isKnownCategory(value: string): boolean {
  return (Object.keys(CATEGORY_DETAILS) as StatusCategoryKey[]).some((key) => categoryMatches(key, value));
}

/** Checks that ids are unique and every reference resolves, so a typo in a test workflow fails at start. */
export function assertWorkflow(workflow: Workflow): void {
  const statusIds = new Set(workflow.statuses.map((s) => s.id));
  if (statusIds.size !== workflow.statuses.length) throw new Error("workflow: duplicate status id");
  if (!statusIds.has(workflow.initialStatus)) throw new Error(`workflow: unknown initial status ${workflow.initialStatus}`);
  const transitionIds = new Set(workflow.transitions.map((t) => t.id));
  if (transitionIds.size !== workflow.transitions.length) throw new Error("workflow: duplicate transition id");
  for (const t of workflow.transitions) {
    if (!/^\d+$/.test(t.id)) throw new Error(`workflow: transition id ${t.id} is not numeric text`);
    for (const ref of [t.to, ...(t.from ?? [])]) {
      if (!statusIds.has(ref)) throw new Error(`workflow: transition ${t.name} names unknown status ${ref}`);
    }
  }
}

/** Transitions available from `statusId`, in workflow order; a transition never leads to the current status. */
export function transitionsFrom(workflow: Workflow, statusId: string): WorkflowTransition[] {
  return workflow.transitions.filter((t) => t.to !== statusId && (t.from === undefined || t.from.includes(statusId)));
}
