// The emulator's strict JQL subset: the contract's recovery query parses in any quoting; everything else is refused.
import { JqlError, parseJql } from "./jql";

describe("parseJql", () => {
  it("parses the contract's recovery query with ORDER BY", () => {
    expect(parseJql('project = "OPS" AND labels = "alarm-0123456789abcdef" AND statusCategory != Done ORDER BY created DESC')).toEqual({
      clauses: [
        { field: "project", op: "=", value: "OPS" },
        { field: "labels", op: "=", value: "alarm-0123456789abcdef" },
        { field: "statusCategory", op: "!=", value: "Done" },
      ],
      orderBy: [{ field: "created", direction: "DESC" }],
    });
  });

  it("accepts bare words, single quotes, lower-case keywords and a quoted category", () => {
    expect(parseJql("labels = 'x' and statuscategory = \"In Progress\" and project = OPS")).toEqual({
      clauses: [
        { field: "labels", op: "=", value: "x" },
        { field: "statusCategory", op: "=", value: "In Progress" },
        { field: "project", op: "=", value: "OPS" },
      ],
      orderBy: [],
    });
  });

  it("parses the preflight's sample search by issue type, with an escaped quote in the name", () => {
    expect(parseJql('project = "OPS" AND issuetype = "On \\"call\\" task" AND statusCategory = Done ORDER BY updated DESC')).toEqual({
      clauses: [
        { field: "project", op: "=", value: "OPS" },
        { field: "issuetype", op: "=", value: 'On "call" task' },
        { field: "statusCategory", op: "=", value: "Done" },
      ],
      orderBy: [{ field: "updated", direction: "DESC" }],
    });
  });

  it.each([
    ['project = OPS AND resolution != "Won\'t Do"', "the clause 'resolution !=' is not in the emulated JQL subset"],
    ["project = OPS OR labels = x", "unexpected 'OR': only AND joins clauses in the emulated subset"],
    ["labels in (a, b)", "unsupported character '(' at position 10"],
    ["labels IS EMPTY", "unsupported operator after labels: only = and != are emulated"],
    ["issuetype != Bug", "the clause 'issuetype !=' is not in the emulated JQL subset"],
    ["statusCategory = Finished", "the value 'Finished' does not exist for the field 'statusCategory'"],
    ['labels = "open', 'unterminated string starting with "open'],
    ["project = OPS ORDER BY priority", "cannot order by 'priority'"],
  ])("refuses %s", (jql, message) => {
    expect(() => parseJql(jql)).toThrow(new JqlError(message));
  });
});
