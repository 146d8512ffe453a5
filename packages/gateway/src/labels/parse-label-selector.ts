import { findLabelProblems, quoteValue } from '@shellgate/driver-sdk';

import { InvalidLabelSelectorError } from './errors.js';
import { EVERYTHING_SELECTOR, SelectorOperator } from './label-selector.js';
import type { LabelRequirement, LabelSelector } from './label-selector.js';

type TokenKind = 'word' | '(' | ')' | ',' | '=' | '==' | '!=' | '!' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 0-based offset into the selector text. */
  readonly start: number;
}

// Characters a label key or value may contain (Kubernetes: [A-Za-z0-9._-] plus one "/" in a
// key). Anything else cannot match a valid label, so it is rejected here rather than silently
// matching nothing. Key and value syntax is then checked by the SDK's label rules.
const WORD_CHAR = /[A-Za-z0-9._/-]/;
const PUNCTUATION: readonly TokenKind[] = ['==', '!=', '(', ')', ',', '=', '!'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const punctuation = PUNCTUATION.find((kind) => text.startsWith(kind, index));
    if (punctuation !== undefined) {
      tokens.push({ kind: punctuation, text: punctuation, start: index });
      index += punctuation.length;
      continue;
    }
    if (!WORD_CHAR.test(char)) {
      throw new InvalidLabelSelectorError(text, index + 1, `unexpected character ${quoteValue(char)}`);
    }
    const start = index;
    while (index < text.length && WORD_CHAR.test(text.charAt(index))) index += 1;
    tokens.push({ kind: 'word', text: text.slice(start, index), start });
  }
  tokens.push({ kind: 'end', text: '', start: text.length });
  return tokens;
}

/** A cursor over the tokens of one selector; every error names the token it stopped at. */
class SelectorParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): LabelSelector {
    const requirements: LabelRequirement[] = [this.parseRequirement()];
    while (this.peek().kind === ',') {
      this.next();
      requirements.push(this.parseRequirement());
    }
    this.expect('end', 'expected "," between requirements');
    return { requirements };
  }

  private parseRequirement(): LabelRequirement {
    if (this.peek().kind === '!') {
      this.next();
      const key = this.expectKey('expected a label key after "!"');
      return { key, operator: SelectorOperator.DoesNotExist, values: [] };
    }
    const key = this.expectKey('expected a label key');
    const token = this.peek();
    switch (token.kind) {
      case '=':
      case '==':
      case '!=':
        this.next();
        return {
          key,
          operator: token.kind === '!=' ? SelectorOperator.NotEquals : SelectorOperator.Equals,
          values: [this.parseOptionalValue()],
        };
      case 'word':
        if (token.text === 'in' || token.text === 'notin') {
          this.next();
          const operator = token.text === 'in' ? SelectorOperator.In : SelectorOperator.NotIn;
          return { key, operator, values: this.parseValueSet(token.text) };
        }
        return this.fail(token, 'expected an operator (=, ==, !=, in, notin), "," or the end');
      default:
        return { key, operator: SelectorOperator.Exists, values: [] };
    }
  }

  // Kubernetes allows an empty value after =, == and != ("tier=" selects tier="").
  private parseOptionalValue(): string {
    return this.peek().kind === 'word' ? this.expectValue('expected a value') : '';
  }

  private parseValueSet(operator: string): string[] {
    this.expect('(', `expected "(" after "${operator}"`);
    const values = [this.expectValue(`expected a value inside "${operator} (...)"`)];
    while (this.peek().kind === ',') {
      this.next();
      values.push(this.expectValue('expected a value after ","'));
    }
    this.expect(')', `expected "," or ")" to close "${operator} (...)"`);
    return values;
  }

  private peek(): Token {
    // The token list always ends with an 'end' token and the cursor never passes it.
    return this.tokens[Math.min(this.position, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private expect(kind: TokenKind, reason: string): Token {
    const token = this.peek();
    if (token.kind !== kind) this.fail(token, reason);
    return this.next();
  }

  private expectKey(reason: string): string {
    const token = this.expect('word', reason);
    const problem = findLabelProblems({ [token.text]: '' }, 'key')[0];
    if (problem !== undefined) this.fail(token, `invalid label key: ${problem.reason}`);
    return token.text;
  }

  private expectValue(reason: string): string {
    const token = this.expect('word', reason);
    const problem = findLabelProblems({ key: token.text }, 'value')[0];
    if (problem !== undefined) this.fail(token, `invalid label value: ${problem.reason.replace(/ \(got .*\)$/, '')}`);
    return token.text;
  }

  private fail(token: Token, reason: string): never {
    const got = token.kind === 'end' ? 'the end of the selector' : quoteValue(token.text);
    throw new InvalidLabelSelectorError(this.text, token.start + 1, `${reason}, got ${got}`);
  }
}

/**
 * Parses Kubernetes label selector text: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a` (exists), `!a` (does not exist), joined by commas (AND). Blank text selects everything.
 * @throws InvalidLabelSelectorError (INVALID_ARGUMENT) naming the offending part and its column.
 */
export function parseLabelSelector(text: string): LabelSelector {
  if (text.trim() === '') return EVERYTHING_SELECTOR;
  return new SelectorParser(text, tokenize(text)).parse();
}
