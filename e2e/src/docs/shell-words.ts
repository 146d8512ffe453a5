// Just enough of sh's word splitting to read a documented command line: quotes, backslash
// escapes, the operators that end a simple command, and a trailing `# comment`.

/** A word (quotes removed) or an operator such as `|`, `;`, `&&`, `>` or `2>&1`. */
export interface ShellToken {
  readonly text: string;
  readonly isOperator: boolean;
}

const OPERATOR_CHARS = new Set(['|', ';', '&', '<', '>']);

/** The tokens of one line; an unquoted `#` at the start of a word ends it. */
export function splitShellLine(line: string): ShellToken[] {
  return scan(line).tokens;
}

/** The line without its trailing comment and surrounding blanks. */
export function stripShellComment(line: string): string {
  return line.slice(0, scan(line).end).trim();
}

function scan(line: string): { tokens: ShellToken[]; end: number } {
  const tokens: ShellToken[] = [];
  let word: string | undefined;
  const endWord = (): void => {
    if (word !== undefined) tokens.push({ text: word, isOperator: false });
    word = undefined;
  };
  let index = 0;
  while (index < line.length) {
    const char = line[index]!;
    if (char === ' ' || char === '\t') {
      endWord();
      index += 1;
    } else if (char === '#' && word === undefined) {
      return { tokens, end: index };
    } else if (OPERATOR_CHARS.has(char)) {
      // A redirection may carry its file descriptor: `2>&1`.
      const redirectFd = word !== undefined && /^\d$/.test(word) && (char === '>' || char === '<') ? word : '';
      if (redirectFd === '') endWord();
      word = undefined;
      let operator = redirectFd;
      while (index < line.length && (OPERATOR_CHARS.has(line[index]!) || (operator.endsWith('&') && /\d/.test(line[index]!)))) operator += line[index++];
      tokens.push({ text: operator, isOperator: true });
    } else if (char === "'") {
      const close = line.indexOf("'", index + 1);
      if (close < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(index + 1, close);
      index = close + 1;
    } else if (char === '"') {
      index += 1;
      word ??= '';
      while (index < line.length && line[index] !== '"') {
        if (line[index] === '\\' && '"\\$`'.includes(line[index + 1] ?? '')) index += 1;
        word += line[index++];
      }
      if (index >= line.length) throw new Error(`unterminated " in: ${line}`);
      index += 1;
    } else if (char === '\\') {
      word = (word ?? '') + (line[index + 1] ?? '');
      index += 2;
    } else {
      word = (word ?? '') + char;
      index += 1;
    }
  }
  endWord();
  return { tokens, end: line.length };
}
