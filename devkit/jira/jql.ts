// The JQL subset the Jira simulator answers: a tokenizer, a recursive-descent parser that validates
// fields/operators/values the way Jira does (syntax first, then field checks), an evaluator over
// JqlIssueView and an ORDER BY comparator. Pure: no clock, no I/O — ctx carries "now" and the user.
import type { JqlContext, JqlFieldChange, JqlIssueView, JqlPropertyIndex } from './jql-types';

export type { JqlContext, JqlFieldChange, JqlIssueView, JqlPropertyIndex } from './jql-types';

// ---------------------------------------------------------------------------------------------
// AST

export type JqlField =
  | 'project'
  | 'issuetype'
  | 'status'
  | 'statusCategory'
  | 'labels'
  | 'key'
  | 'assignee'
  | 'reporter'
  | 'created'
  | 'updated'
  | 'priority'
  | 'summary'
  | 'parent';

export type JqlOperator = '=' | '!=' | 'in' | 'not in' | '>' | '>=' | '<' | '<=' | 'is' | 'is not' | '~' | '!~';

export type JqlDuration = { amount: number; unit: 'w' | 'd' | 'h' | 'm' };

export type JqlDate =
  /** Wall-clock time in the user's time zone (ctx.timeZoneOffsetMinutes). */
  | { kind: 'absolute'; year: number; month: number; day: number; hour: number; minute: number }
  /** Offset from ctx.now, e.g. "-1d". */
  | { kind: 'relative'; offsetMs: number }
  | { kind: 'now' }
  | { kind: 'startOfDay'; offsetMs: number };

export type JqlValue =
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  | { kind: 'currentUser' }
  | { kind: 'date'; date: JqlDate };

/** The history operators, answered from the issue's changelog. */
export type JqlHistoryOperator = 'was' | 'was not' | 'was in' | 'was not in' | 'changed';

/** A history clause's time and people predicates; several narrow one another. */
export type JqlPredicate =
  | { kind: 'after' | 'before' | 'on'; date: JqlDate }
  | { kind: 'during'; from: JqlDate; to: JqlDate }
  | { kind: 'by'; users: JqlValue[] }
  | { kind: 'from' | 'to'; values: JqlValue[] };

export type JqlClause =
  | { kind: 'and'; clauses: JqlClause[] }
  | { kind: 'or'; clauses: JqlClause[] }
  | { kind: 'not'; clause: JqlClause }
  /**
   * values has one entry except for IN / NOT IN lists. `property`: an indexed entity property searched
   * by its alias; `field` is then the built-in field searched the same way (see PROPERTY_STAND_IN).
   */
  | { kind: 'terminal'; field: JqlField; operator: JqlOperator; values: JqlValue[]; property?: JqlPropertyIndex }
  /** WAS [NOT] [IN] values (none for CHANGED), with predicates. */
  | { kind: 'history'; field: JqlHistoryField; operator: JqlHistoryOperator; values: JqlValue[]; predicates: JqlPredicate[] };

export type JqlSortField = 'key' | 'id' | 'created' | 'updated' | 'priority' | 'summary' | 'status' | 'project' | 'issuetype';

export interface JqlSort {
  field: JqlSortField;
  direction: 'asc' | 'desc';
}

export interface JqlQuery {
  /** null matches every issue (empty JQL, or only an ORDER BY). */
  where: JqlClause | null;
  orderBy: JqlSort[];
}

export type JqlParseResult = { ok: true; query: JqlQuery } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'word' | 'string' | 'lparen' | 'rparen' | 'comma' | 'op' | 'and' | 'or' | 'not' | 'eof';

interface Token {
  kind: TokenKind;
  /** Unescaped content for strings, the literal text otherwise. */
  text: string;
  /** Offset into the query text, for "(line L, character C)". */
  pos: number;
}

class JqlError extends Error {}

// Jira's reserved characters: outside quotes they are a syntax error rather than part of a word.
const RESERVED_CHARS = new Set(['+', '.', ';', '?', '*', '/', '%', '^', '$', '#', '@', '[', ']', '{', '}', '`', '\\']);
const WORD_BREAK = new Set(['(', ')', ',', '=', '!', '<', '>', '~', '"', "'", '&', '|']);

function position(text: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return `(line ${line}, character ${pos - lineStart + 1})`;
}

function syntaxError(text: string, pos: number, message: string): JqlError {
  return new JqlError(`Error in the JQL Query: ${message} ${position(text, pos)}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const two = text.slice(i, i + 2);
    if (c === '(') tokens.push({ kind: 'lparen', text: c, pos: i++ });
    else if (c === ')') tokens.push({ kind: 'rparen', text: c, pos: i++ });
    else if (c === ',') tokens.push({ kind: 'comma', text: c, pos: i++ });
    else if (two === '!=' || two === '!~' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, pos: i });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>' || c === '~') tokens.push({ kind: 'op', text: c, pos: i++ });
    else if (c === '!') tokens.push({ kind: 'not', text: c, pos: i++ });
    else if (c === '&' || c === '|') {
      // Jira accepts & / && for AND and | / || for OR.
      const len = text.charAt(i + 1) === c ? 2 : 1;
      tokens.push({ kind: c === '&' ? 'and' : 'or', text: text.slice(i, i + len), pos: i });
      i += len;
    } else if (c === '"' || c === "'") {
      i++;
      let value = '';
      let closed = false;
      while (i < text.length) {
        const ch = text.charAt(i);
        if (ch === c) {
          closed = true;
          i++;
          break;
        }
        if (ch === '\\') {
          const next = text.charAt(i + 1);
          if (next === '"' || next === "'" || next === '\\' || next === ' ') value += next;
          else if (next === 'n') value += '\n';
          else if (next === 't') value += '\t';
          else if (next === 'r') value += '\r';
          else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 4;
          } else {
            throw syntaxError(text, i, `'\\${next}' is an illegal JQL escape sequence.`);
          }
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      if (!closed) throw syntaxError(text, start, `The quoted string '${value}' has not been completed.`);
      tokens.push({ kind: 'string', text: value, pos: start });
    } else if (/^issue\.property\[/i.test(text.slice(i, i + 15))) {
      const field = readPropertyField(text, i);
      tokens.push({ kind: 'word', text: field.name, pos: start });
      i = field.end;
    } else if (RESERVED_CHARS.has(c)) {
      throw syntaxError(
        text,
        i,
        `The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead.`,
      );
    } else {
      while (i < text.length) {
        const ch = text.charAt(i);
        if (/\s/.test(ch) || WORD_BREAK.has(ch) || RESERVED_CHARS.has(ch)) break;
        i++;
      }
      const word = text.slice(start, i);
      const lower = word.toLowerCase();
      if (lower === 'and') tokens.push({ kind: 'and', text: word, pos: start });
      else if (lower === 'or') tokens.push({ kind: 'or', text: word, pos: start });
      else if (lower === 'not') tokens.push({ kind: 'not', text: word, pos: start });
      else tokens.push({ kind: 'word', text: word, pos: start });
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}

/**
 * An entity property as a field, `issue.property[key].path`, the key bare or quoted: the form of
 * Atlassian's example for POST /rest/api/3/jql/parse (`issue.property["spaces here"].value`; the
 * parse answer names it `issue.property[spaces here].value` with `property: [{entity, key, path}]`).
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-jql/#api-rest-api-3-jql-parse-post
 */
function readPropertyField(text: string, start: number): { name: string; end: number } {
  let i = start + 'issue.property['.length;
  let key = '';
  const quote = text.charAt(i);
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, i + 1);
    if (close < 0) throw syntaxError(text, i, `The quoted string '${text.slice(i + 1)}' has not been completed.`);
    key = text.slice(i + 1, close);
    i = close + 1;
  } else {
    while (i < text.length && text.charAt(i) !== ']' && !/\s/.test(text.charAt(i))) key += text.charAt(i++);
  }
  if (text.charAt(i) !== ']' || key === '') throw syntaxError(text, i, `Expecting ']' after the property key of 'issue.property[…]'.`);
  i++;
  if (text.charAt(i) !== '.') throw syntaxError(text, i, `Expecting '.' and a path after 'issue.property[${key}]'.`);
  i++;
  const pathStart = i;
  while (i < text.length && /[\w.-]/.test(text.charAt(i))) i++;
  const path = text.slice(pathStart, i);
  if (path === '' || path.startsWith('.') || path.endsWith('.')) throw syntaxError(text, pathStart, `Expecting a path after 'issue.property[${key}].'.`);
  return { name: `issue.property[${key}].${path}`, end: i };
}

const PROPERTY_FIELD = /^issue\.property\[(.+)\]\.([\w.-]+)$/i;

// ---------------------------------------------------------------------------------------------
// Parser (syntax only; produces a raw tree that validate() then types)

type RawOperand =
  | { kind: 'value'; text: string; quoted: boolean }
  | { kind: 'empty' }
  | { kind: 'function'; name: string; args: string[] }
  | { kind: 'list'; items: RawOperand[] };

type RawPredicateOperator = 'after' | 'before' | 'on' | 'during' | 'by' | 'from' | 'to';

interface RawPredicate {
  operator: RawPredicateOperator;
  operand: RawOperand;
}

type RawClause =
  | { kind: 'and'; clauses: RawClause[] }
  | { kind: 'or'; clauses: RawClause[] }
  | { kind: 'not'; clause: RawClause }
  | { kind: 'terminal'; field: string; operator: JqlOperator; operand: RawOperand }
  /** operand is null for CHANGED. */
  | { kind: 'history'; field: string; operator: JqlHistoryOperator; operand: RawOperand | null; predicates: RawPredicate[] };

const PREDICATE_WORDS = new Set<string>(['after', 'before', 'on', 'during', 'by', 'from', 'to']);

interface RawQuery {
  where: RawClause | null;
  orderBy: { field: string; direction: 'asc' | 'desc' | null }[];
}

// As Jira words a missing operator (the example of POST /rest/api/3/jql/parse in Atlassian's description).
const VALID_OPERATORS = " The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] ?? last;
    if (token === undefined) throw new JqlError('Error in the JQL Query: internal tokenizer error.');
    return token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  private expected(what: string, token: Token, hint = ''): JqlError {
    if (token.kind === 'eof') return new JqlError(`Error in the JQL Query: Expecting ${what} before the end of the query.${hint}`);
    return syntaxError(this.text, token.pos, `Expecting ${what} but got '${token.text}'.${hint}`);
  }

  parseQuery(): RawQuery {
    let where: RawClause | null = null;
    if (this.peek().kind !== 'eof' && !this.atOrderBy()) {
      where = this.parseOr();
      const after = this.peek();
      if (after.kind !== 'eof' && !this.atOrderBy()) {
        if (after.kind === 'rparen') throw syntaxError(this.text, after.pos, `Expecting either 'OR' or 'AND' but got ')'.`);
        throw this.expected(`either 'OR' or 'AND'`, after);
      }
    }
    const orderBy: RawQuery['orderBy'] = [];
    if (this.atOrderBy()) {
      this.next();
      const by = this.next();
      if (!this.isWord(by, 'by')) throw this.expected(`'by'`, by);
      for (;;) {
        const field = this.next();
        if (field.kind !== 'word' && field.kind !== 'string') throw this.expected('a field name', field);
        let direction: 'asc' | 'desc' | null = null;
        if (this.isWord(this.peek(), 'asc')) direction = 'asc';
        else if (this.isWord(this.peek(), 'desc')) direction = 'desc';
        if (direction !== null) this.next();
        orderBy.push({ field: field.text, direction });
        if (this.peek().kind !== 'comma') break;
        this.next();
      }
      const after = this.peek();
      if (after.kind !== 'eof') throw this.expected(`either 'ASC', 'DESC' or ','`, after);
    }
    return { where, orderBy };
  }

  private atOrderBy(): boolean {
    return this.isWord(this.peek(), 'order');
  }

  private parseOr(): RawClause {
    const clauses = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.next();
      clauses.push(this.parseAnd());
    }
    return clauses.length === 1 && clauses[0] !== undefined ? clauses[0] : { kind: 'or', clauses };
  }

  private parseAnd(): RawClause {
    const clauses = [this.parseNot()];
    while (this.peek().kind === 'and') {
      this.next();
      clauses.push(this.parseNot());
    }
    return clauses.length === 1 && clauses[0] !== undefined ? clauses[0] : { kind: 'and', clauses };
  }

  private parseNot(): RawClause {
    const token = this.peek();
    if (token.kind === 'not') {
      this.next();
      return { kind: 'not', clause: this.parseNot() };
    }
    if (token.kind === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'rparen') throw this.expected(`')'`, close);
      return inner;
    }
    return this.parseTerminal();
  }

  private parseTerminal(): RawClause {
    const fieldToken = this.next();
    if (fieldToken.kind !== 'word' && fieldToken.kind !== 'string') throw this.expected('a field name', fieldToken);
    const history = this.parseHistoryOperator();
    if (history !== null) {
      const operand = history === 'changed' ? null : this.peek().kind === 'lparen' ? this.parseList() : this.parseOperand();
      return { kind: 'history', field: fieldToken.text, operator: history, operand, predicates: this.parsePredicates() };
    }
    const operator = this.parseOperator();
    const open = this.peek();
    // IN takes a list or a function (`assignee in currentUser()`); a single value or a list after
    // other operators parses, and validation names the operator that refuses it, as Jira does.
    const operand = open.kind === 'lparen' ? this.parseList() : this.parseOperand();
    return { kind: 'terminal', field: fieldToken.text, operator, operand };
  }

  /** WAS, WAS NOT, WAS IN, WAS NOT IN or CHANGED; null (consuming nothing) for any other operator. */
  private parseHistoryOperator(): JqlHistoryOperator | null {
    if (this.isWord(this.peek(), 'changed')) {
      this.next();
      return 'changed';
    }
    if (!this.isWord(this.peek(), 'was')) return null;
    this.next();
    const not = this.peek().kind === 'not' && this.peek().text.toLowerCase() === 'not';
    if (not) this.next();
    const isIn = this.isWord(this.peek(), 'in');
    if (isIn) this.next();
    return not ? (isIn ? 'was not in' : 'was not') : isIn ? 'was in' : 'was';
  }

  private parsePredicates(): RawPredicate[] {
    const predicates: RawPredicate[] = [];
    while (this.peek().kind === 'word' && PREDICATE_WORDS.has(this.peek().text.toLowerCase())) {
      const operator = this.next().text.toLowerCase() as RawPredicateOperator;
      const operand = this.peek().kind === 'lparen' ? this.parseList() : this.parseOperand();
      predicates.push({ operator, operand });
    }
    return predicates;
  }

  private parseOperator(): JqlOperator {
    const token = this.next();
    if (token.kind === 'op') return token.text as JqlOperator;
    if (this.isWord(token, 'in')) return 'in';
    if (this.isWord(token, 'is')) {
      if (this.peek().kind === 'not' && this.peek().text.toLowerCase() === 'not') {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    if (token.kind === 'not' && token.text.toLowerCase() === 'not' && this.isWord(this.peek(), 'in')) {
      this.next();
      return 'not in';
    }
    throw this.expected('operator', token, VALID_OPERATORS);
  }

  private parseList(): RawOperand {
    this.next(); // '('
    const items: RawOperand[] = [];
    for (;;) {
      items.push(this.parseOperand());
      const sep = this.next();
      if (sep.kind === 'rparen') break;
      if (sep.kind !== 'comma') throw this.expected(`either ',' or ')'`, sep);
    }
    return { kind: 'list', items };
  }

  private parseOperand(): RawOperand {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'value', text: token.text, quoted: true };
    if (token.kind !== 'word') throw this.expected('either a value, list or function', token);
    const lower = token.text.toLowerCase();
    if (this.peek().kind === 'lparen') {
      this.next();
      const args: string[] = [];
      if (this.peek().kind === 'rparen') {
        this.next();
      } else {
        for (;;) {
          const arg = this.next();
          if (arg.kind !== 'word' && arg.kind !== 'string') throw this.expected('a function argument', arg);
          args.push(arg.text);
          const sep = this.next();
          if (sep.kind === 'rparen') break;
          if (sep.kind !== 'comma') throw this.expected(`either ',' or ')'`, sep);
        }
      }
      return { kind: 'function', name: token.text, args };
    }
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (lower === 'order' || lower === 'in' || lower === 'is') {
      throw syntaxError(this.text, token.pos, `'${token.text}' is a reserved JQL word. You must surround it in quotation marks to use it in a query.`);
    }
    return { kind: 'value', text: token.text, quoted: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Validation: field names, operators per field, values per field

const FIELD_ALIASES: Record<string, JqlField> = {
  project: 'project',
  issuetype: 'issuetype',
  type: 'issuetype',
  status: 'status',
  statuscategory: 'statusCategory',
  labels: 'labels',
  key: 'key',
  issuekey: 'key',
  id: 'key',
  assignee: 'assignee',
  reporter: 'reporter',
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
  priority: 'priority',
  summary: 'summary',
  // The issue's parent by key or id: an epic's children, a sub-task's issue
  // (support.atlassian.com/jira-software-cloud/docs/jql-fields/#Parent: =, !=, IN, NOT IN).
  parent: 'parent',
};

const EQUALITY: JqlOperator[] = ['=', '!=', 'in', 'not in', 'is', 'is not'];
const RELATIONAL: JqlOperator[] = ['>', '>=', '<', '<='];
const FIELD_OPERATORS: Record<JqlField, JqlOperator[]> = {
  project: EQUALITY,
  issuetype: EQUALITY,
  status: EQUALITY,
  statusCategory: EQUALITY,
  labels: EQUALITY,
  key: [...EQUALITY, ...RELATIONAL],
  assignee: EQUALITY,
  reporter: EQUALITY,
  created: [...EQUALITY, ...RELATIONAL],
  updated: [...EQUALITY, ...RELATIONAL],
  priority: EQUALITY,
  summary: ['~', '!~', 'is', 'is not'],
  parent: ['=', '!=', 'in', 'not in'],
};

// Jira's status category ids are 2 (To Do), 4 (In Progress), 3 (Done).
const STATUS_CATEGORIES: Record<string, JqlIssueView['statusCategoryKey']> = {
  'to do': 'new',
  new: 'new',
  '2': 'new',
  'in progress': 'indeterminate',
  indeterminate: 'indeterminate',
  '4': 'indeterminate',
  done: 'done',
  '3': 'done',
};

const SORT_FIELDS: Record<string, JqlSortField> = {
  key: 'key',
  issuekey: 'key',
  id: 'id',
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
  priority: 'priority',
  summary: 'summary',
  status: 'status',
  project: 'project',
  issuetype: 'issuetype',
  type: 'issuetype',
};

const DATE_FORMATS_HINT =
  "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.";

const UNIT_MS: Record<JqlDuration['unit'], number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/** "-1d", "4w 2d", "+3h" → signed milliseconds; null when it is not a period. */
function parsePeriod(text: string): number | null {
  const match = /^([+-])?\s*((?:\d+\s*[wdhm]\s*)+)$/.exec(text.trim());
  if (match === null) return null;
  const sign = match[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of (match[2] ?? '').matchAll(/(\d+)\s*([wdhm])/g)) {
    total += Number(part[1]) * UNIT_MS[part[2] as JqlDuration['unit']];
  }
  return sign * total;
}

function parseAbsoluteDate(text: string): JqlDate | null {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (match === null) return null;
  const [year, month, day, hour, minute] = [match[1], match[2], match[3], match[4] ?? '0', match[5] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  return { kind: 'absolute', year, month, day, hour, minute };
}

function validationError(message: string): JqlError {
  return new JqlError(message);
}

function validateValue(field: JqlField, fieldName: string, operator: JqlOperator, operand: RawOperand): JqlValue[] {
  if (operand.kind === 'list') return operand.items.flatMap((item) => validateValue(field, fieldName, operator, item));
  if (operand.kind === 'empty') {
    if (RELATIONAL.includes(operator) || operator === '~' || operator === '!~') {
      throw validationError(`The operator '${operator}' does not support searching for EMPTY values.`);
    }
    return [{ kind: 'empty' }];
  }
  if (operator === 'is' || operator === 'is not') {
    throw validationError(`The operator '${operator}' only supports searching for EMPTY values.`);
  }
  if (operand.kind === 'function') {
    const name = operand.name.toLowerCase();
    const isDate = field === 'created' || field === 'updated';
    if (name === 'currentuser' && (field === 'assignee' || field === 'reporter')) {
      if (operand.args.length > 0) throw validationError(`Function 'currentUser' expected '0' arguments but received '${operand.args.length}'.`);
      return [{ kind: 'currentUser' }];
    }
    if (name === 'now' && isDate) {
      if (operand.args.length > 0) throw validationError(`Function 'now' expected '0' arguments but received '${operand.args.length}'.`);
      return [{ kind: 'date', date: { kind: 'now' } }];
    }
    if (name === 'startofday' && isDate) {
      if (operand.args.length > 1) throw validationError(`Function 'startOfDay' expected between '0' and '1' arguments but received '${operand.args.length}'.`);
      const arg = operand.args[0];
      let offsetMs = 0;
      if (arg !== undefined) {
        // A bare number counts days, as in Jira's startOfDay(-1).
        const period = /^[+-]?\d+$/.test(arg.trim()) ? parsePeriod(`${arg.trim()}d`) : parsePeriod(arg);
        if (period === null) throw validationError(`Function 'startOfDay' has an invalid increment '${arg}'. Use e.g. '-1', '+2d' or '-1w'.`);
        offsetMs = period;
      }
      return [{ kind: 'date', date: { kind: 'startOfDay', offsetMs } }];
    }
    if (['currentuser', 'now', 'startofday'].includes(name)) {
      throw validationError(`A value provided by the function '${operand.name}' is invalid for the field '${fieldName}'.`);
    }
    throw validationError(`Unable to find JQL function '${operand.name}(${operand.args.join(', ')})'.`);
  }
  const text = operand.text;
  switch (field) {
    case 'created':
    case 'updated': {
      const period = parsePeriod(text);
      if (period !== null) return [{ kind: 'date', date: { kind: 'relative', offsetMs: period } }];
      const absolute = parseAbsoluteDate(text);
      if (absolute !== null) return [{ kind: 'date', date: absolute }];
      throw validationError(`Date value '${text}' for field '${fieldName}' is invalid. ${DATE_FORMATS_HINT}`);
    }
    case 'key':
    case 'parent':
      if (!/^\d+$/.test(text) && !/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(text)) {
        throw validationError(`The issue key '${text}' for field '${fieldName}' is invalid.`);
      }
      return [{ kind: 'text', text }];
    case 'statusCategory':
      if (STATUS_CATEGORIES[text.toLowerCase()] === undefined) {
        throw validationError(`The value '${text}' does not exist for the field '${fieldName}'.`);
      }
      return [{ kind: 'text', text }];
    default:
      return [{ kind: 'text', text }];
  }
}

// Fields whose history JQL searches (WAS, CHANGED); of the fields here, Jira keeps history for these.
// support.atlassian.com/jira-software-cloud/docs/jql-operators/#WAS and #CHANGED
export type JqlHistoryField = 'status' | 'assignee' | 'reporter' | 'priority';
const HISTORY_FIELDS = new Set<JqlField>(['status', 'assignee', 'reporter', 'priority']);
const WAS_PREDICATES = new Set<RawPredicateOperator>(['after', 'before', 'on', 'during', 'by']);
const CHANGED_PREDICATES = new Set<RawPredicateOperator>(['after', 'before', 'on', 'during', 'by', 'from', 'to']);

function isHistoryField(field: JqlField): field is JqlHistoryField {
  return HISTORY_FIELDS.has(field);
}

function quotedOperand(operand: RawOperand): string {
  switch (operand.kind) {
    case 'value':
      return `"${operand.text}"`;
    case 'empty':
      return 'EMPTY';
    case 'function':
      return `${operand.name}(${operand.args.join(', ')})`;
    case 'list':
      return `(${operand.items.map(quotedOperand).join(', ')})`;
  }
}

/** A date predicate's operand: a period, a date, now() or startOfDay(), as a date field takes them. */
function predicateDate(predicate: string, operand: RawOperand): JqlDate {
  if (operand.kind === 'list' || operand.kind === 'empty') throw validationError(`The predicate '${predicate}' takes a date, not ${quotedOperand(operand)}.`);
  try {
    const [value] = validateValue('created', predicate, '=', operand);
    if (value?.kind === 'date') return value.date;
  } catch (error) {
    if (!(error instanceof JqlError)) throw error;
    if (operand.kind === 'value') throw validationError(`Date value '${operand.text}' for predicate '${predicate}' is invalid. ${DATE_FORMATS_HINT}`);
    throw error;
  }
  throw validationError(`Date value ${quotedOperand(operand)} for predicate '${predicate}' is invalid. ${DATE_FORMATS_HINT}`);
}

function validatePredicate(field: JqlHistoryField, fieldName: string, operator: JqlHistoryOperator, raw: RawPredicate): JqlPredicate {
  const allowed = operator === 'changed' ? CHANGED_PREDICATES : WAS_PREDICATES;
  if (!allowed.has(raw.operator)) {
    throw validationError(`The predicate '${raw.operator.toUpperCase()}' is not supported by the '${operator.toUpperCase()}' operator.`);
  }
  switch (raw.operator) {
    case 'after':
    case 'before':
    case 'on':
      return { kind: raw.operator, date: predicateDate(raw.operator, raw.operand) };
    case 'during': {
      const items = raw.operand.kind === 'list' ? raw.operand.items : [];
      const [from, to] = items;
      if (items.length !== 2 || from === undefined || to === undefined) {
        throw validationError(`The predicate 'DURING' needs two dates, as in DURING ("2026/11/01", "2026/11/30").`);
      }
      return { kind: 'during', from: predicateDate('during', from), to: predicateDate('during', to) };
    }
    case 'by':
      return { kind: 'by', users: validateValue('assignee', 'by', 'in', raw.operand) };
    case 'from':
    case 'to':
      return { kind: raw.operator, values: validateValue(field, fieldName, 'in', raw.operand) };
  }
}

function validateHistory(raw: Extract<RawClause, { kind: 'history' }>, field: JqlField): JqlClause {
  if (!isHistoryField(field)) throw validationError(`The operator '${raw.operator}' is not supported by the '${raw.field}' field.`);
  const isList = raw.operator === 'was in' || raw.operator === 'was not in';
  let values: JqlValue[] = [];
  if (raw.operand !== null) {
    if (raw.operand.kind === 'list' && !isList) throw validationError(`The operator '${raw.operator}' does not support the list value for field '${raw.field}'.`);
    if (raw.operand.kind !== 'list' && raw.operand.kind !== 'function' && isList) {
      throw validationError(`Operator '${raw.operator}' does not support the non-list value '${quotedOperand(raw.operand)}' for field '${raw.field}'.`);
    }
    values = validateValue(field, raw.field, isList ? 'in' : '=', raw.operand);
  }
  const predicates = raw.predicates.map((p) => validatePredicate(field, raw.field, raw.operator, p));
  return { kind: 'history', field, operator: raw.operator, values, predicates };
}

/** Types one clause; field and value problems are collected in `errors` (Jira reports them all). */
/**
 * An indexed property is searched like the built-in field of the same kind: a string exactly (=, !=,
 * IN, IS EMPTY), text by words (~), a date by time (relational too), a user by account id, a number
 * by value (relational too). Its values are the JSON value at its path; an array gives each element
 * (https://developer.atlassian.com/cloud/jira/platform/modules/property-index/: "the objectName can
 * refer to an array type, where the type … should be the type of each element").
 */
const PROPERTY_STAND_IN: Record<JqlPropertyIndex['type'], JqlField> = { string: 'labels', text: 'summary', date: 'updated', user: 'assignee', number: 'key' };
const PROPERTY_OPERATORS: Record<JqlPropertyIndex['type'], JqlOperator[]> = {
  string: EQUALITY,
  text: ['~', '!~', 'is', 'is not'],
  date: [...EQUALITY, ...RELATIONAL],
  user: EQUALITY,
  number: [...EQUALITY, ...RELATIONAL],
};

function validatePropertyClause(raw: Extract<RawClause, { kind: 'terminal' }>, property: JqlPropertyIndex): JqlClause {
  const field = PROPERTY_STAND_IN[property.type];
  const isList = raw.operator === 'in' || raw.operator === 'not in';
  if (isList && raw.operand.kind !== 'list' && raw.operand.kind !== 'function') {
    throw validationError(`Operator '${raw.operator}' does not support the non-list value '${quotedOperand(raw.operand)}' for field '${raw.field}'.`);
  }
  if (!PROPERTY_OPERATORS[property.type].includes(raw.operator)) throw validationError(`The operator '${raw.operator}' is not supported by the '${raw.field}' field.`);
  if (raw.operand.kind === 'list' && !isList) throw validationError(`The operator '${raw.operator}' does not support the list value for field '${raw.field}'.`);
  if (property.type === 'number') {
    const items = raw.operand.kind === 'list' ? raw.operand.items : [raw.operand];
    for (const item of items) {
      if (item.kind === 'value' && !Number.isFinite(Number(item.text))) throw validationError(`The value '${item.text}' for field '${raw.field}' is invalid: it must be a number.`);
      if (item.kind === 'function') throw validationError(`A value provided by the function '${item.name}' is invalid for the field '${raw.field}'.`);
    }
    return { kind: 'terminal', field, operator: raw.operator, values: items.map((i) => (i.kind === 'value' ? { kind: 'text', text: i.text } : { kind: 'empty' })), property };
  }
  return { kind: 'terminal', field, operator: raw.operator, values: validateValue(field, raw.field, raw.operator, raw.operand), property };
}

function validateClause(raw: RawClause, errors: string[], properties: readonly JqlPropertyIndex[]): JqlClause {
  if (raw.kind === 'and') return { kind: 'and', clauses: raw.clauses.map((c) => validateClause(c, errors, properties)) };
  if (raw.kind === 'or') return { kind: 'or', clauses: raw.clauses.map((c) => validateClause(c, errors, properties)) };
  if (raw.kind === 'not') return { kind: 'not', clause: validateClause(raw.clause, errors, properties) };
  try {
    const field = FIELD_ALIASES[raw.field.toLowerCase()];
    const named = PROPERTY_FIELD.exec(raw.field);
    if (named && raw.kind === 'terminal') {
      // Jira indexes only the values a jira:entityProperty module declares: another path matches no issue.
      const indexed = properties.find((p) => p.propertyKey === named[1] && p.path === named[2]);
      return indexed ? validatePropertyClause(raw, indexed) : { kind: 'or', clauses: [] };
    }
    if (named) throw validationError(`History searches are not supported for the field '${raw.field}'.`);
    const property = field === undefined ? properties.find((p) => p.searchAlias !== undefined && p.searchAlias.toLowerCase() === raw.field.toLowerCase()) : undefined;
    // Entity properties keep no history: WAS and CHANGED do not apply to them.
    if (property && raw.kind === 'terminal') return validatePropertyClause(raw, property);
    if (property) throw validationError(`History searches are not supported for the field '${raw.field}'.`);
    if (field === undefined) throw validationError(`Field '${raw.field}' does not exist or you do not have permission to view it.`);
    if (raw.kind === 'history') return validateHistory(raw, field);
    // The operand's shape is checked before the operator, as in Atlassian's example (`summary in test`).
    const isList = raw.operator === 'in' || raw.operator === 'not in';
    if (isList && raw.operand.kind !== 'list' && raw.operand.kind !== 'function') {
      throw validationError(`Operator '${raw.operator}' does not support the non-list value '${quotedOperand(raw.operand)}' for field '${raw.field}'.`);
    }
    if (!FIELD_OPERATORS[field].includes(raw.operator)) {
      throw validationError(`The operator '${raw.operator}' is not supported by the '${raw.field}' field.`);
    }
    if (raw.operand.kind === 'list' && !isList) {
      throw validationError(`The operator '${raw.operator}' does not support the list value for field '${raw.field}'.`);
    }
    return { kind: 'terminal', field, operator: raw.operator, values: validateValue(field, raw.field, raw.operator, raw.operand) };
  } catch (error) {
    if (!(error instanceof JqlError)) throw error;
    if (!errors.includes(error.message)) errors.push(error.message);
    // A clause that matches nothing stands in for the invalid one; the errors decide what is answered.
    return { kind: 'or', clauses: [] };
  }
}

function validateQuery(raw: RawQuery, errors: string[], properties: readonly JqlPropertyIndex[]): JqlQuery {
  const where = raw.where === null ? null : validateClause(raw.where, errors, properties);
  const orderBy: JqlSort[] = [];
  for (const { field: name, direction } of raw.orderBy) {
    const field = SORT_FIELDS[name.toLowerCase()];
    if (field === undefined) {
      errors.push(
        FIELD_ALIASES[name.toLowerCase()] !== undefined
          ? `Field '${name}' does not support sorting.`
          : `Field '${name}' does not exist or you do not have permission to view it.`,
      );
      continue;
    }
    orderBy.push({ field, direction: direction ?? DEFAULT_DIRECTION[field] });
  }
  return { where, orderBy };
}

// ---------------------------------------------------------------------------------------------
// The syntax tree as POST /rest/api/3/jql/parse returns it (JqlQuery in Atlassian's description).

function operandJson(operand: RawOperand): Record<string, unknown> {
  switch (operand.kind) {
    case 'value':
      return { value: operand.text, encodedValue: operand.quoted ? JSON.stringify(operand.text) : operand.text };
    case 'empty':
      return { keyword: 'empty' };
    case 'function':
      return { function: operand.name, arguments: [...operand.args], encodedOperand: quotedOperand(operand).replace(/"/g, '') };
    case 'list':
      return { values: operand.items.map(operandJson), encodedOperand: `(${operand.items.map((i) => (i.kind === 'value' && !i.quoted ? i.text : quotedOperand(i))).join(', ')})` };
  }
}

function fieldJson(name: string): Record<string, unknown> {
  const named = PROPERTY_FIELD.exec(name);
  if (named) {
    const [, key = '', path = ''] = named;
    return { name, encodedName: `issue.property[${/^[\w-]+$/.test(key) ? key : JSON.stringify(key)}].${path}`, property: [{ entity: 'issue', key, path }] };
  }
  return { name, encodedName: /^[\w.]+$/.test(name) ? name : JSON.stringify(name) };
}

function clauseJson(raw: RawClause): Record<string, unknown> {
  switch (raw.kind) {
    case 'and':
    case 'or':
      return { clauses: raw.clauses.map(clauseJson), operator: raw.kind };
    case 'not':
      return { clauses: [clauseJson(raw.clause)], operator: 'not' };
    case 'terminal':
      return { field: fieldJson(raw.field), operator: raw.operator, operand: operandJson(raw.operand) };
    case 'history':
      return {
        field: fieldJson(raw.field),
        operator: raw.operator,
        ...(raw.operand === null ? {} : { operand: operandJson(raw.operand) }),
        predicates: raw.predicates.map((p) => ({ operator: p.operator, operand: operandJson(p.operand) })),
      };
  }
}

function structureJson(raw: RawQuery): Record<string, unknown> {
  return {
    ...(raw.where === null ? {} : { where: clauseJson(raw.where) }),
    ...(raw.orderBy.length === 0
      ? {}
      : { orderBy: { fields: raw.orderBy.map((o) => ({ field: fieldJson(o.field), ...(o.direction === null ? {} : { direction: o.direction }) })) } }),
  };
}

/** Everything Jira says of a query: a syntax error, or its structure with every validation error. */
export type JqlAnalysis =
  | { kind: 'syntax'; error: string }
  | { kind: 'parsed'; structure: Record<string, unknown>; errors: string[]; query: JqlQuery };

/** `properties`: the entity property values the site's apps have indexed, searchable by their aliases. */
export function analyzeJql(text: string, properties: readonly JqlPropertyIndex[] = []): JqlAnalysis {
  let raw: RawQuery;
  try {
    raw = new Parser(text, tokenize(text)).parseQuery();
  } catch (error) {
    if (error instanceof JqlError) return { kind: 'syntax', error: error.message };
    // A bug here must not take the simulator's request handler down with it.
    return { kind: 'syntax', error: `Error in the JQL Query: ${error instanceof Error ? error.message : String(error)}` };
  }
  const errors: string[] = [];
  const query = validateQuery(raw, errors, properties);
  return { kind: 'parsed', structure: structureJson(raw), errors, query };
}

// Without ASC/DESC Jira uses the field's own default order: newest first for dates, highest first for priority.
const DEFAULT_DIRECTION: Record<JqlSortField, 'asc' | 'desc'> = {
  key: 'asc',
  id: 'asc',
  created: 'desc',
  updated: 'desc',
  priority: 'desc',
  summary: 'asc',
  status: 'asc',
  project: 'asc',
  issuetype: 'asc',
};

export function parseJql(text: string, properties: readonly JqlPropertyIndex[] = []): JqlParseResult {
  const analysis = analyzeJql(text, properties);
  if (analysis.kind === 'syntax') return { ok: false, error: analysis.error };
  const [first] = analysis.errors;
  return first === undefined ? { ok: true, query: analysis.query } : { ok: false, error: first };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

// Jira pushes NOT down to the operators (De Morgan), so `NOT assignee = x` behaves like
// `assignee != x` — which, like every != / NOT IN, never matches an empty field.
const NEGATED: Record<JqlOperator, JqlOperator> = {
  '=': '!=',
  '!=': '=',
  in: 'not in',
  'not in': 'in',
  '>': '<=',
  '>=': '<',
  '<': '>=',
  '<=': '>',
  is: 'is not',
  'is not': 'is',
  '~': '!~',
  '!~': '~',
};

export function matchesJql(query: JqlQuery, issue: JqlIssueView, ctx: JqlContext): boolean {
  return query.where === null || evaluate(query.where, false, issue, ctx);
}

function evaluate(clause: JqlClause, negated: boolean, issue: JqlIssueView, ctx: JqlContext): boolean {
  switch (clause.kind) {
    case 'and':
      return negated
        ? clause.clauses.some((c) => evaluate(c, true, issue, ctx))
        : clause.clauses.every((c) => evaluate(c, false, issue, ctx));
    case 'or':
      return negated
        ? clause.clauses.every((c) => evaluate(c, true, issue, ctx))
        : clause.clauses.some((c) => evaluate(c, false, issue, ctx));
    case 'not':
      return evaluate(clause.clause, !negated, issue, ctx);
    case 'terminal':
      if (clause.property) return evaluateProperty(clause.property, clause.field, negated ? NEGATED[clause.operator] : clause.operator, clause.values, issue, ctx);
      return evaluateTerminal(clause.field, negated ? NEGATED[clause.operator] : clause.operator, clause.values, issue, ctx);
    case 'history':
      return evaluateHistory(clause, issue, ctx) !== negated;
  }
}

// ---------------------------------------------------------------------------------------------
// History: WAS and CHANGED over the issue's changes.
// support.atlassian.com/jira-software-cloud/docs/jql-operators/#WAS and #CHANGED

/** The time window the predicates leave, in whole minutes (inclusive). */
function predicateWindow(predicates: JqlPredicate[], ctx: JqlContext): { from: number; to: number } {
  let from = -Infinity;
  let to = Infinity;
  const dayOf = (ms: number): number => {
    const offsetMs = (ctx.timeZoneOffsetMinutes ?? 0) * 60_000;
    return Math.floor((ms + offsetMs) / 86_400_000) * 86_400_000 - offsetMs;
  };
  for (const p of predicates) {
    if (p.kind === 'after') from = Math.max(from, minute(resolveDate(p.date, ctx)) + 1);
    else if (p.kind === 'before') to = Math.min(to, minute(resolveDate(p.date, ctx)) - 1);
    else if (p.kind === 'on') {
      const day = dayOf(resolveDate(p.date, ctx));
      from = Math.max(from, minute(day));
      to = Math.min(to, minute(day + 86_400_000) - 1);
    } else if (p.kind === 'during') {
      from = Math.max(from, minute(resolveDate(p.from, ctx)));
      to = Math.min(to, minute(resolveDate(p.to, ctx)));
    }
  }
  return { from, to };
}

function historyValueMatches(field: JqlHistoryField, actual: string | null, values: JqlValue[], issue: JqlIssueView, ctx: JqlContext): boolean {
  if (actual === null) return values.some((v) => v.kind === 'empty');
  return values.some((v) => valueEquals(field, actual, v, issue, ctx));
}

function byMatches(predicates: JqlPredicate[], accountId: string | undefined, issue: JqlIssueView, ctx: JqlContext): boolean {
  return predicates.every((p) => p.kind !== 'by' || (accountId !== undefined && historyValueMatches('assignee', accountId, p.users, issue, ctx)));
}

/** The values the field held, each with when it started and ended (epoch ms) and who set it. */
function timeline(field: JqlHistoryField, issue: JqlIssueView): Array<{ value: string | null; start: number; end: number; by: string | undefined }> {
  const changes = (issue.history ?? []).filter((c) => c.field === field);
  const [current] = fieldValues(field, issue);
  const first = changes[0];
  const spans: Array<{ value: string | null; start: number; end: number; by: string | undefined }> = [];
  let value: string | null = first ? first.from : (current ?? null);
  let start = issue.created;
  let by = issue.creatorAccountId;
  for (const change of changes) {
    spans.push({ value, start, end: change.at, by });
    value = change.to;
    start = change.at;
    by = change.byAccountId;
  }
  spans.push({ value, start, end: Infinity, by });
  return spans;
}

function evaluateHistory(clause: Extract<JqlClause, { kind: 'history' }>, issue: JqlIssueView, ctx: JqlContext): boolean {
  const window = predicateWindow(clause.predicates, ctx);
  if (clause.operator === 'changed') {
    const changes: JqlFieldChange[] = (issue.history ?? []).filter((c) => c.field === clause.field);
    return changes.some(
      (c) =>
        minute(c.at) >= window.from &&
        minute(c.at) <= window.to &&
        byMatches(clause.predicates, c.byAccountId, issue, ctx) &&
        clause.predicates.every(
          (p) =>
            (p.kind !== 'from' || historyValueMatches(clause.field, c.from, p.values, issue, ctx)) &&
            (p.kind !== 'to' || historyValueMatches(clause.field, c.to, p.values, issue, ctx)),
        ),
    );
  }
  const was = timeline(clause.field, issue).some(
    (span) =>
      minute(span.start) <= window.to &&
      (span.end === Infinity || minute(span.end) >= window.from) &&
      historyValueMatches(clause.field, span.value, clause.values, issue, ctx) &&
      byMatches(clause.predicates, span.by, issue, ctx),
  );
  return clause.operator === 'was' || clause.operator === 'was in' ? was : !was;
}

const lower = (s: string): string => s.toLowerCase();

/** The field's current values (empty array = the field is empty). */
function fieldValues(field: JqlField, issue: JqlIssueView): string[] {
  switch (field) {
    case 'project':
      return [issue.projectKey];
    case 'issuetype':
      return [issue.issueTypeName];
    case 'status':
      return [issue.statusName];
    case 'statusCategory':
      return [issue.statusCategoryKey];
    case 'labels':
      return issue.labels;
    case 'key':
      return [issue.key];
    case 'assignee':
      return issue.assigneeAccountId === null ? [] : [issue.assigneeAccountId];
    case 'reporter':
      return issue.reporterAccountId === null ? [] : [issue.reporterAccountId];
    case 'priority':
      return issue.priorityName === null ? [] : [issue.priorityName];
    case 'summary':
      return issue.summary === '' ? [] : [issue.summary];
    case 'parent':
      return issue.parentKey ? [issue.parentKey] : [];
    case 'created':
      return [String(issue.created)];
    case 'updated':
      return [String(issue.updated)];
  }
}

/** Does one (non-empty) value of the field equal the JQL value? */
function valueEquals(field: JqlField, actual: string, value: JqlValue, issue: JqlIssueView, ctx: JqlContext): boolean {
  switch (value.kind) {
    case 'empty':
      return false;
    case 'currentUser':
      // An anonymous caller has no current user, so nothing matches.
      return ctx.currentAccountId !== undefined && actual === ctx.currentAccountId;
    case 'date':
      return minute(Number(actual)) === minute(resolveDate(value.date, ctx));
    case 'text':
      break;
  }
  const text = value.text;
  switch (field) {
    case 'project':
      return /^\d+$/.test(text) ? issue.projectId === text : lower(actual) === lower(text);
    case 'key':
      return /^\d+$/.test(text) ? issue.id === text : lower(actual) === lower(text);
    case 'parent':
      return /^\d+$/.test(text) ? issue.parentId === text : lower(actual) === lower(text);
    case 'statusCategory':
      return STATUS_CATEGORIES[lower(text)] === actual;
    case 'labels':
      // Labels are compared exactly; the docs found don't say Jira folds their case.
      return actual === text;
    case 'assignee':
    case 'reporter':
      return actual === text;
    default:
      return lower(actual) === lower(text);
  }
}

/** The indexed values of the property on the issue, as strings the stand-in field compares (dates as epoch ms). */
function propertyValues(index: JqlPropertyIndex, issue: JqlIssueView): string[] {
  let values: unknown[] = [issue.properties?.[index.propertyKey]];
  for (const step of index.path.split('.')) {
    values = values.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[step] : undefined));
  }
  const out: string[] = [];
  for (const value of values.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
    if (value === undefined || value === null) continue;
    if (index.type === 'date') {
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isFinite(ms)) out.push(String(ms));
    } else if (index.type === 'number') {
      if (typeof value === 'number' && Number.isFinite(value)) out.push(String(value));
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out.push(String(value));
    }
  }
  return out;
}

function evaluateProperty(index: JqlPropertyIndex, field: JqlField, operator: JqlOperator, values: JqlValue[], issue: JqlIssueView, ctx: JqlContext): boolean {
  const actual = propertyValues(index, issue);
  const numeric = index.type === 'number';
  const right = (v: JqlValue): number | undefined => (v.kind === 'date' ? minute(resolveDate(v.date, ctx)) : v.kind === 'text' && numeric ? Number(v.text) : undefined);
  const left = (a: string): number => (numeric ? Number(a) : minute(Number(a)));
  if (operator === '>' || operator === '>=' || operator === '<' || operator === '<=') {
    return actual.some((a) => values.some((v) => {
      const r = right(v);
      if (r === undefined) return false;
      const l = left(a);
      return operator === '>' ? l > r : operator === '>=' ? l >= r : operator === '<' ? l < r : l <= r;
    }));
  }
  if (numeric && (operator === '=' || operator === 'in' || operator === '!=' || operator === 'not in')) {
    const anyEqual = actual.some((a) => values.some((v) => v.kind === 'text' && Number(a) === Number(v.text)));
    if (operator === '=' || operator === 'in') return (actual.length === 0 && values.some((v) => v.kind === 'empty')) || anyEqual;
    return actual.length > 0 && !anyEqual;
  }
  return evaluateTerminal(field, operator, values, issue, ctx, actual);
}

function evaluateTerminal(field: JqlField, operator: JqlOperator, values: JqlValue[], issue: JqlIssueView, ctx: JqlContext, actual: string[] = fieldValues(field, issue)): boolean {
  const anyEqual = (): boolean => actual.some((a) => values.some((v) => valueEquals(field, a, v, issue, ctx)));
  switch (operator) {
    case 'is':
      return actual.length === 0;
    case 'is not':
      return actual.length > 0;
    case '=':
    case 'in':
      return (actual.length === 0 && values.some((v) => v.kind === 'empty')) || anyEqual();
    case '!=':
    case 'not in':
      // Jira: != and NOT IN never match an empty field (use `OR field IS EMPTY` for that).
      return actual.length > 0 && !anyEqual();
    case '~':
      return actual.some((a) => values.some((v) => v.kind === 'text' && textContains(a, v.text)));
    case '!~':
      return actual.length > 0 && !actual.some((a) => values.some((v) => v.kind === 'text' && textContains(a, v.text)));
    case '>':
    case '>=':
    case '<':
    case '<=':
      return values.some((v) => compareRelational(field, operator, v, issue, ctx));
  }
}

function compareRelational(field: JqlField, operator: '>' | '>=' | '<' | '<=', value: JqlValue, issue: JqlIssueView, ctx: JqlContext): boolean {
  let left: number;
  let right: number;
  if (value.kind === 'date') {
    left = minute(field === 'created' ? issue.created : issue.updated);
    right = minute(resolveDate(value.date, ctx));
  } else if (value.kind === 'text' && field === 'key') {
    if (/^\d+$/.test(value.text)) {
      left = Number(issue.id);
      right = Number(value.text);
    } else {
      // Key ordering only relates issues of the same project: PROJ-10 > PROJ-9.
      const [valueProject, valueNumber] = splitKey(value.text);
      const [issueProject, issueNumber] = splitKey(issue.key);
      if (lower(valueProject) !== lower(issueProject)) return false;
      left = issueNumber;
      right = valueNumber;
    }
  } else {
    return false;
  }
  switch (operator) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

// JQL dates carry minute precision, so both sides are compared at whole minutes.
function minute(ms: number): number {
  return Math.floor(ms / 60_000);
}

function resolveDate(date: JqlDate, ctx: JqlContext): number {
  const offsetMs = (ctx.timeZoneOffsetMinutes ?? 0) * 60_000;
  switch (date.kind) {
    case 'now':
      return ctx.now;
    case 'relative':
      return ctx.now + date.offsetMs;
    case 'absolute':
      return Date.UTC(date.year, date.month - 1, date.day, date.hour, date.minute) - offsetMs;
    case 'startOfDay':
      return Math.floor((ctx.now + offsetMs) / 86_400_000) * 86_400_000 - offsetMs + date.offsetMs;
  }
}

/** Case-insensitive: every word of the query must occur in the text; a "quoted phrase" must occur whole. */
function textContains(text: string, query: string): boolean {
  const haystack = lower(text);
  const trimmed = query.trim();
  const phrase = /^"(.*)"$/s.exec(trimmed);
  if (phrase !== null) return haystack.includes(lower(phrase[1] ?? '').trim());
  // Wildcards (* and ?) reduce to substring matching, which already covers prefixes.
  const terms = lower(trimmed)
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((t) => t !== '');
  return terms.length > 0 && terms.every((t) => haystack.includes(t));
}

function splitKey(key: string): [string, number] {
  const dash = key.lastIndexOf('-');
  return [key.slice(0, dash), Number(key.slice(dash + 1))];
}

// ---------------------------------------------------------------------------------------------
// ORDER BY

// Jira's default priority scheme, highest first; other names sort below these, alphabetically.
const PRIORITY_RANK: Record<string, number> = { highest: 5, high: 4, medium: 3, low: 2, lowest: 1 };
const CATEGORY_RANK: Record<JqlIssueView['statusCategoryKey'], number> = { new: 0, indeterminate: 1, done: 2 };

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  const la = lower(a);
  const lb = lower(b);
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function compareField(field: JqlSortField, a: JqlIssueView, b: JqlIssueView): number {
  switch (field) {
    case 'id':
      return compareIds(a.id, b.id);
    case 'key':
    case 'project': {
      const [pa, na] = splitKey(a.key);
      const [pb, nb] = splitKey(b.key);
      const byProject = compareText(pa, pb);
      return byProject !== 0 || field === 'project' ? byProject : na - nb;
    }
    case 'created':
      return a.created - b.created;
    case 'updated':
      return a.updated - b.updated;
    case 'summary':
      return compareText(a.summary, b.summary);
    case 'issuetype':
      return compareText(a.issueTypeName, b.issueTypeName);
    case 'status':
      // Jira orders statuses by their configured sequence; by category then name approximates it.
      return CATEGORY_RANK[a.statusCategoryKey] - CATEGORY_RANK[b.statusCategoryKey] || compareText(a.statusName, b.statusName);
    case 'priority': {
      const ra = a.priorityName === null ? undefined : (PRIORITY_RANK[lower(a.priorityName)] ?? 0);
      const rb = b.priorityName === null ? undefined : (PRIORITY_RANK[lower(b.priorityName)] ?? 0);
      if (ra === undefined || rb === undefined) return 0; // empties are placed by the caller
      return ra - rb || compareText(a.priorityName ?? '', b.priorityName ?? '');
    }
  }
}

export function compareByOrder(query: JqlQuery): (a: JqlIssueView, b: JqlIssueView) => number {
  const sorts = query.orderBy;
  return (a, b) => {
    for (const { field, direction } of sorts) {
      if (field === 'priority' && (a.priorityName === null) !== (b.priorityName === null)) {
        // Issues without a priority go last whichever the direction.
        return a.priorityName === null ? 1 : -1;
      }
      const result = compareField(field, a, b);
      if (result !== 0) return direction === 'asc' ? result : -result;
    }
    // No ORDER BY (or a tie): issue id ascending, so results are stable and paginate predictably.
    return compareIds(a.id, b.id);
  };
}
