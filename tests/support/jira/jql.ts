import { isKnownCategory } from "./workflow";

/** One condition of the JQL subset the Lambda contract uses (DESIGN.md "Ticket identity"). */
export type JqlClause =
  | { readonly field: "project"; readonly op: "="; readonly value: string }
  | { readonly field: "labels"; readonly op: "="; readonly value: string }
  | { readonly field: "issuetype"; readonly op: "="; readonly value: string }
  | { readonly field: "statusCategory"; readonly op: "=" | "!="; readonly value: string };

/** A sort key of `ORDER BY`. */
export interface JqlOrder {
  readonly field: "created" | "updated" | "resolutiondate" | "key";
  readonly direction: "ASC" | "DESC";
}

/** A parsed query: clauses joined by AND, then an optional ordering. */
export interface JqlQuery {
  readonly clauses: readonly JqlClause[];
  readonly orderBy: readonly JqlOrder[];
}

/** The query is outside the strict subset; the emulator answers 400 so an unexpected query fails loudly. */
export class JqlError extends Error {}

type Token = { kind: "word"; text: string } | { kind: "string"; text: string } | { kind: "op"; text: "=" | "!=" | "," };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i];
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"' || ch === "'") {
      let text = "";
      i += 1;
      while (i < jql.length && jql[i] !== ch) {
        if (jql[i] === "\\" && i + 1 < jql.length) i += 1;
        text += jql[i];
        i += 1;
      }
      if (i >= jql.length) throw new JqlError(`unterminated string starting with ${ch}${text}`);
      i += 1;
      tokens.push({ kind: "string", text });
    } else if (jql.startsWith("!=", i)) {
      tokens.push({ kind: "op", text: "!=" });
      i += 2;
    } else if (ch === "=" || ch === ",") {
      tokens.push({ kind: "op", text: ch });
      i += 1;
    } else {
      const match = /^[A-Za-z0-9_.-]+/.exec(jql.slice(i));
      if (!match) throw new JqlError(`unsupported character '${ch}' at position ${i}`);
      tokens.push({ kind: "word", text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.kind === "word" && token.text.toLowerCase() === word.toLowerCase();

const ORDER_FIELDS = ["created", "updated", "resolutiondate", "key"] as const;

/**
 * Parses `project = "K" AND labels = "x" AND statusCategory != Done [ORDER BY created DESC]` and the same clauses in
 * any order and quoting, plus `issuetype = "T"` (the preflight's sample search). Throws {@link JqlError} for anything
 * else (OR, parentheses, `resolution`, `IN`, `~`, ...).
 */
export function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  const clauses: JqlClause[] = [];
  const orderBy: JqlOrder[] = [];
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const value = (field: string): string => {
    const token = next();
    if (token === undefined || token.kind === "op") throw new JqlError(`expected a value after ${field}`);
    return token.text;
  };
  for (;;) {
    const fieldToken = next();
    if (fieldToken?.kind !== "word") throw new JqlError(`expected a field name at token ${i}`);
    const field = fieldToken.text.toLowerCase();
    const opToken = next();
    if (opToken?.kind !== "op" || opToken.text === ",") {
      throw new JqlError(`unsupported operator after ${fieldToken.text}: only = and != are emulated`);
    }
    const op = opToken.text;
    if (field === "project" && op === "=") {
      clauses.push({ field: "project", op, value: value(field) });
    } else if (field === "labels" && op === "=") {
      clauses.push({ field: "labels", op, value: value(field) });
    } else if (field === "issuetype" && op === "=") {
      clauses.push({ field: "issuetype", op, value: value(field) });
    } else if (field === "statuscategory") {
      const category = value(field);
      if (!isKnownCategory(category)) throw new JqlError(`the value '${category}' does not exist for the field 'statusCategory'`);
      clauses.push({ field: "statusCategory", op, value: category });
    } else {
      throw new JqlError(`the clause '${fieldToken.text} ${op}' is not in the emulated JQL subset`);
    }
    const joiner = next();
    if (joiner === undefined) break;
    if (isWord(joiner, "AND")) continue;
    if (isWord(joiner, "ORDER") && isWord(next(), "BY")) {
      for (;;) {
        const orderField = next();
        const name = orderField?.kind === "word" ? orderField.text.toLowerCase() : "";
        const known = ORDER_FIELDS.find((f) => f === name);
        if (known === undefined) throw new JqlError(`cannot order by '${orderField?.text ?? ""}'`);
        let direction: "ASC" | "DESC" = "ASC";
        if (isWord(tokens[i], "ASC") || isWord(tokens[i], "DESC")) direction = next()!.text.toUpperCase() as "ASC" | "DESC";
        orderBy.push({ field: known, direction });
        const sep = next();
        if (sep === undefined) break;
        if (sep.kind !== "op" || sep.text !== ",") throw new JqlError(`unexpected '${sep.text}' after ORDER BY`);
      }
      break;
    }
    throw new JqlError(`unexpected '${joiner.text}': only AND joins clauses in the emulated subset`);
  }
  return { clauses, orderBy };
}
